// What a reviewer sees in the MLflow UI before approving a version, checked in a real browser (Debian's
// Chromium, headless, driven by playwright-core): the registered model with its aliases, the champion's
// and the challenger's version pages (description with the comparison table, aliases, approval and gate
// tags), and the champion's run with its evaluation plots. Saves a screenshot of every page.
//
// Usage: node review.mjs CONFIG.json   (keys: mlflowUrl, runsUrl, championAuc, model, champion, challenger,
// championRunId, experimentId, outDir, chromium, tags {version: {key: value}})
// Exits 1 with one line per failed check.
import { chromium } from "playwright-core";
import { readFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
mkdirSync(cfg.outDir, { recursive: true });
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

const browser = await chromium.launch({ executablePath: cfg.chromium, headless: true, args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
page.setDefaultTimeout(30000);
const shot = async (name) => {
  const file = join(cfg.outDir, name);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot ${file}`);
};
const visible = async (locator) => {
  try {
    await locator.first().waitFor({ state: "visible", timeout: 20000 });
    return true;
  } catch {
    return false;
  }
};
const open = async (hash) => {
  await page.goto(`${cfg.mlflowUrl}/#${hash}`, { waitUntil: "load" });
};

try {
  // 0. The experiment's runs as Treeline links to them: the model-training runs table with the review's columns,
  // not MLflow 3's GenAI overview.
  await page.goto(cfg.runsUrl, { waitUntil: "load" });
  const header = page.locator('[role="columnheader"]');
  for (const column of ["holdout_auc", "treeline.gate_status", "treeline.model_version"]) {
    check(await visible(header.filter({ hasText: column })), `the runs table has a ${column} column`);
  }
  check(await visible(page.getByText(cfg.championAuc)), `the runs table shows the champion run's holdout AUC ${cfg.championAuc}`);
  check((await page.getByText("Token Usage").count()) === 0, "no GenAI overview (Token Usage) on the page");
  await shot("00-experiment-runs.png");

  // 1. The registered model: its versions and where the aliases point.
  await open(`/models/${encodeURIComponent(cfg.model)}`);
  check(await visible(page.getByText(cfg.model, { exact: true })), `registered model page names ${cfg.model}`);
  for (const [alias, version] of [["champion", cfg.champion], ["challenger", cfg.challenger]]) {
    check(await visible(page.getByText(`@ ${alias}`)), `registered model page shows alias @ ${alias}`);
  }
  check(await visible(page.getByRole("link", { name: `Version ${cfg.challenger}` })), `registered model page lists version ${cfg.challenger}`);
  await shot("01-registered-model.png");

  // 2. The version pages: description with the comparison table, aliases, approval and gate tags.
  for (const [role, version] of [["champion", cfg.champion], ["challenger", cfg.challenger]]) {
    await open(`/models/${encodeURIComponent(cfg.model)}/versions/${version}`);
    check(await visible(page.getByText(`Version ${version}`)), `${role} page is version ${version}`);
    check(await visible(page.getByText(`@ ${role}`)), `${role} page shows alias @ ${role}`);
    const table = page.locator("table").filter({ hasText: "metric" });
    check(await visible(table), `${role} page description has the metrics table`);
    if (role === "challenger") {
      check(await visible(page.locator("th").filter({ hasText: "95% CI of delta" })), "challenger description compares with the champion (95% CI of delta)");
      check(await visible(page.locator("th").filter({ hasText: `champion v${cfg.champion}` })), `challenger description has a champion v${cfg.champion} column`);
    }
    for (const [key, value] of Object.entries(cfg.tags[version] || {})) {
      const row = page.locator("tr").filter({ hasText: key }).filter({ hasText: value });
      check(await visible(row), `${role} page has tag ${key} = ${value}`);
    }
    await shot(`0${role === "champion" ? 2 : 3}-${role}-version-${version}.png`);
  }

  // 3. The champion's run: its evaluation plots among the artifacts.
  await open(`/experiments/${cfg.experimentId}/runs/${cfg.championRunId}/artifacts`);
  check(await visible(page.getByText("evaluation", { exact: true })), "run artifacts list the evaluation folder");
  await page.getByText("evaluation", { exact: true }).first().click();
  for (const plot of ["roc.png", "calibration.png", "feature_importance.png"]) {
    check(await visible(page.getByText(plot, { exact: true })), `run artifacts list evaluation/${plot}`);
  }
  await page.getByText("roc.png", { exact: true }).first().click();
  // The preview is an <img> of the downloaded PNG (a blob URL): wait until one is decoded at chart size.
  const drawn = await page
    .waitForFunction(() => [...document.images].some((i) => i.complete && i.naturalWidth >= 400 && i.naturalHeight >= 300), null, { timeout: 20000 })
    .then(() => true, () => false);
  check(drawn, "the ROC plot is shown as an image");
  await shot("04-champion-run-roc.png");
} catch (e) {
  failures.push(`unexpected: ${e.message.split("\n")[0]}`);
  await shot("error.png").catch(() => {});
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`${failures.length} check(s) failed:\n` + failures.map((f) => `  ${f}`).join("\n"));
  process.exit(1);
}
console.log("all MLflow UI checks passed");
