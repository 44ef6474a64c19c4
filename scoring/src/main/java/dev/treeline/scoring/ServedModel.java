package dev.treeline.scoring;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.pipelines.util.SafePaths;
import dev.treeline.registry.s3.ChampionPointer;
import dev.treeline.registry.s3.Manifest;
import dev.treeline.registry.s3.Routing;
import dev.treeline.registry.s3.S3Publisher;
import dev.treeline.training.bundle.ModelBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The model serving would load, read from S3 and nowhere else: {@code routing.json} while an A/B test runs,
 * else {@code champion.json}, or a version named outright. Each variant's files are downloaded and checked
 * against its manifest (size and sha256) before anything is scored with them.
 */
public record ServedModel(String model, String experiment, List<Variant> variants) {
    /** One published version and the share of rows it scores (weights sum to 100). */
    public record Variant(String name, String version, int weight, String manifestSha256, ModelBundle bundle) {}

    /** The variant named {@code champion} when serving has no split. */
    public static final String CHAMPION = "champion";

    public boolean split() {
        return variants.size() > 1;
    }

    /** The variant that takes most rows (the champion, during an A/B test the control). */
    public Variant primary() {
        Variant best = variants.get(0);
        for (Variant v : variants) if (v.weight() > best.weight()) best = v;
        return best;
    }

    /**
     * Resolves {@code ref}: null for what serving loads now (routing.json while its test runs, else champion.json),
     * {@code champion}, a version number, or another alias (looked up with {@code aliasToVersion}, the registry's).
     * Bundles are downloaded under {@code cache}, one directory per version and manifest, and reused.
     */
    public static ServedModel resolve(S3Publisher s3, String model, String ref, Function<String, String> aliasToVersion, Path cache) {
        List<Variant> variants = new ArrayList<>();
        String experiment = null;
        if (ref == null) {
            Optional<Routing> routing = s3.routing(model);
            if (routing.isPresent() && routing.get().running() && routing.get().variants().size() > 1) {
                experiment = routing.get().experiment();
                int total = 0;
                for (Routing.Variant v : routing.get().variants()) {
                    total += v.weight();
                    variants.add(load(s3, model, v.name(), v.version(), v.weight(), v.manifestSha256(), cache));
                }
                if (total != 100) {
                    throw new TreelineException(ExitCode.FAILURE, s3.location(s3.routingKey(model)) + ": variant weights sum to " + total
                            + ", not 100; fix it with 'treeline ab' before scoring");
                }
                return new ServedModel(model, experiment, variants);
            }
            ref = CHAMPION;
        }
        if (CHAMPION.equals(ref)) {
            ChampionPointer p = s3.pointer(model).orElseThrow(() -> new TreelineException(ExitCode.FAILURE, "nothing is served for model '" + model
                    + "': " + s3.location(s3.pointerKey(model)) + " does not exist; run its pipeline through the push step, or name a "
                    + "published version (" + model + "@VERSION)"));
            variants.add(load(s3, model, CHAMPION, p.version(), 100, p.manifestSha256(), cache));
        } else {
            String version = ref.matches("[0-9]{1,18}") ? ref : aliasToVersion.apply(ref);
            variants.add(load(s3, model, "v" + version, version, 100, null, cache));
        }
        return new ServedModel(model, null, variants);
    }

    private static Variant load(S3Publisher s3, String model, String name, String version, int weight, String expectedSha, Path cache) {
        Map.Entry<Manifest, String> published = s3.published(model, version).orElseThrow(() -> new TreelineException(ExitCode.FAILURE,
                model + " version " + version + " is not published in S3 (" + s3.location(s3.versionPrefix(model, version) + Manifest.FILE)
                        + " does not exist); push it first"));
        String sha = published.getValue();
        if (expectedSha != null && !expectedSha.equals(sha)) {
            throw new TreelineException(ExitCode.FAILURE, s3.location(s3.versionPrefix(model, version) + Manifest.FILE) + " has sha256 " + sha
                    + " but serving's pointer expects " + expectedSha + "; run 'treeline models verify " + model + " " + version + "'");
        }
        Path dir = SafePaths.child(cache, SafePaths.modelName(model), "model name").resolve(version + "-" + sha.substring(0, 16));
        try {
            if (!Files.isDirectory(dir)) {
                // Downloaded whole into a staging directory and renamed: a half-downloaded bundle is never reused.
                Path staging = dir.resolveSibling("." + dir.getFileName() + ".staging-" + UUID.randomUUID());
                try {
                    List<String> problems = s3.download(model, version, staging);
                    if (!problems.isEmpty()) {
                        throw new TreelineException(ExitCode.FAILURE, model + " version " + version + " in S3 does not match its manifest: "
                                + problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
                    }
                    Files.createDirectories(dir.getParent());
                    try {
                        AtomicFiles.move(staging, dir);
                    } catch (java.nio.file.FileSystemException raced) {
                        if (!Files.isDirectory(dir)) throw raced; // another scoring run downloaded the same version first
                    }
                } finally {
                    if (Files.exists(staging)) AtomicFiles.deleteRecursively(staging);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot download " + model + " version " + version + " into " + dir, e);
        }
        return new Variant(name, version, weight, sha, ModelBundle.at(dir));
    }
}
