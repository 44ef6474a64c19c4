package dev.treeline.cli;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.spec.SparkSpec;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.pipelines.util.Json;
import dev.treeline.training.bundle.ModelBundle;
import dev.treeline.training.bundle.ScoringParity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "verify", description = {"Check a published version in S3 is exactly what was evaluated: download every file, compare sizes and",
        "sha256 with manifest.json (and the manifest with champion.json), reload the booster and the feature pipeline, re-score the",
        "stored sample and compare with the expected predictions (tolerance 1e-6).",
        "Exit code 0 when everything matches, 1 on any mismatch (each one listed)."})
final class ModelsVerifyCommand implements Callable<Integer> {
    @Mixin RegistryOptions registry;
    @Mixin ModelVersionArgs args;
    @Mixin MasterOption master;
    @Mixin OutputOption output;

    @Override
    public Integer call() throws Exception {
        try (RegistryOptions.Session s = registry.open()) {
            String model = args.model;
            String version = args.resolve(s);
            var pub = s.publisher(model);
            Path dir = Files.createDirectories(s.env.workspace().resolve("tmp")).resolve("verify-" + model + "-v" + version);
            AtomicFiles.deleteRecursively(dir);
            List<String> problems = new java.util.ArrayList<>(pub.download(model, version, dir));
            int files = (int) Files.walk(dir).filter(Files::isRegularFile).count();
            boolean serving = pub.pointer(model).map(p -> p.version().equals(version)).orElse(false);
            ScoringParity.Result parity = null;
            if (problems.isEmpty()) {
                try {
                    // The session first: loading the feature pipeline would otherwise start one without a master.
                    var spark = Cli.spark(EnvironmentResolver.system().sparkMaster(master.master), SparkSpec.DEFAULT);
                    ModelBundle bundle = ModelBundle.at(dir);
                    bundle.loadBooster().dispose();
                    bundle.loadFeaturePipeline();
                    parity = ScoringParity.check(spark, bundle);
                    if (parity == null) problems.add("no scoring sample in the published version");
                    else if (!parity.holds()) {
                        problems.add(String.format("re-scoring the %d sample rows differs from the expected predictions by up to %.3g (tolerance %.0e)",
                                parity.rows(), parity.maxAbsDiff(), ScoringParity.TOLERANCE));
                    }
                } catch (RuntimeException e) {
                    problems.add("cannot load the published model: " + e.getMessage());
                }
            }
            String where = pub.location(pub.versionPrefix(model, version));
            String named = model + " version " + version + (args.version.equals(version) ? "" : " (" + args.version + ")");
            if (output.json()) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("model", model);
                out.put("version", version);
                out.put("requested", args.version);
                out.put("location", where);
                out.put("files", files);
                out.put("serving", serving);
                out.put("ok", problems.isEmpty());
                out.put("problems", problems);
                if (parity != null) {
                    out.put("sample_rows", parity.rows());
                    out.put("max_abs_diff", parity.maxAbsDiff());
                }
                System.out.println(Json.write(out));
            } else if (problems.isEmpty()) {
                System.out.printf("%s at %s: OK%n", named, where);
                System.out.printf("  %d files match manifest.json (size and sha256)%s%n", files,
                        serving ? "; the manifest is the one champion.json names" : "");
                System.out.printf("  booster and feature pipeline reload; %d sample rows re-scored, max |diff| %.2g (tolerance %.0e)%n",
                        parity.rows(), parity.maxAbsDiff(), ScoringParity.TOLERANCE);
            } else {
                System.out.println(named + " at " + where + ": " + problems.size() + " problem(s)");
                for (String p : problems) System.out.println("  " + p);
            }
            AtomicFiles.deleteRecursively(dir);
            if (!problems.isEmpty() && !output.json()) {
                throw new TreelineException(ExitCode.FAILURE, named + " does not verify: " + problems.get(0));
            }
            return problems.isEmpty() ? 0 : ExitCode.FAILURE.code();
        }
    }
}
