package dev.treeline.cli;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.env.Workspace;
import dev.treeline.pipelines.spec.SparkSpec;
import dev.treeline.pipelines.util.Json;
import dev.treeline.registry.review.Verification;
import dev.treeline.training.bundle.ModelBundle;
import dev.treeline.training.bundle.ScoringParity;
import java.nio.file.Files;
import java.nio.file.Path;
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
            Path dir = Files.createDirectories(Workspace.at(s.env.workspace()).tmp()).resolve("verify-" + model + "-v" + version);
            Verification v = s.lifecycle(model).verify(model, version, args.version, dir, bundleDir -> {
                // The session first: loading the feature pipeline would otherwise start one without a master.
                var spark = Cli.spark(EnvironmentResolver.system().sparkMaster(master.master), SparkSpec.DEFAULT);
                ModelBundle bundle = ModelBundle.at(bundleDir);
                bundle.loadBooster().dispose();
                bundle.loadFeaturePipeline();
                ScoringParity.Result parity = ScoringParity.check(spark, bundle);
                return parity == null ? null : new Verification.Parity(parity.rows(), parity.maxAbsDiff(), ScoringParity.TOLERANCE);
            });
            if (output.json()) {
                System.out.println(Json.write(v));
            } else if (v.ok()) {
                System.out.printf("%s at %s: OK%n", v.named(), v.location());
                System.out.printf("  %d files match manifest.json (size and sha256)%s%n", v.files(),
                        v.serving() ? "; the manifest is the one champion.json names" : "");
                System.out.printf("  booster and feature pipeline reload; %d sample rows re-scored, max |diff| %.2g (tolerance %.0e)%n",
                        v.sampleRows(), v.maxAbsDiff(), v.tolerance());
            } else {
                System.out.println(v.named() + " at " + v.location() + ": " + v.problems().size() + " problem(s)");
                for (String p : v.problems()) System.out.println("  " + p);
            }
            // One failure path for both outputs: the report above, then exit code 1 with the first problem.
            if (!v.ok()) throw new TreelineException(ExitCode.FAILURE, v.named() + " does not verify: " + v.problems().get(0));
            return 0;
        }
    }
}
