package dev.treeline.registry.steps;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowRegistry;
import java.util.Map;
import java.util.Optional;

/**
 * Moves alias {@code champion} to the candidate when there is no champion, or when the candidate beats
 * the champion on the holdout by at least {@code min_improvement}. Decides only on numbers measured on
 * the same rows in this run, and refuses to decide if the champion changed since they were measured.
 */
final class PromoteStep implements Step {
    private final String metric;
    private final double minImprovement;

    PromoteStep(String metric, double minImprovement) {
        this.metric = metric;
        this.minImprovement = minImprovement;
    }

    @Override
    public StepResult run(StepContext ctx) {
        RegisterStep.EvaluationView e = RegisterStep.EvaluationView.read(ctx, ctx.input(0));
        ModelVersionRecord candidate = ctx.catalog().readJson(ctx.input(1), ModelVersionRecord.class);
        String model = candidate.model();
        try (MlflowConnection mlflow = MlflowConnection.fromEnvironment(ctx.environment().mlflowUri())) {
            MlflowRegistry registry = mlflow.registry();
            Optional<String> current = registry.byAlias(model, RegistryTags.CHAMPION).map(ModelRef::version);

            Promotion decision;
            if (current.isPresent() && current.get().equals(candidate.version())) {
                decision = new Promotion(model, candidate.version(), candidate.version(), true, "already champion");
            } else {
                if (!current.equals(Optional.ofNullable(e.championVersion()))) {
                    throw new TreelineException(ExitCode.FAILURE, "the champion of " + model + " is now "
                            + current.map(v -> "version " + v).orElse("unset") + ", but evaluate compared against "
                            + (e.championVersion() == null ? "no champion" : "version " + e.championVersion())
                            + "; rerun from the evaluate step: treeline run <spec> --date " + ctx.logicalDate() + " --from-step evaluate");
                }
                decision = decide(model, candidate.version(), e);
            }
            if (decision.promoted() && !current.equals(Optional.of(candidate.version()))) {
                registry.setAlias(model, RegistryTags.CHAMPION, candidate.version());
            }
            registry.setVersionTag(model, candidate.version(), RegistryTags.PROMOTION, decision.promoted() ? "promoted" : "not_promoted");
            registry.setVersionTag(model, candidate.version(), RegistryTags.PROMOTION_REASON, decision.reason());
            ctx.tracker().setTags(Map.of("treeline.promoted", Boolean.toString(decision.promoted()), "treeline.promotion_reason", decision.reason()));
            ctx.catalog().writeJson(ctx.output(0), decision);
            return StepResult.of((decision.promoted() ? "champion is now version " + decision.championVersion()
                    : "champion stays version " + decision.championVersion()) + ": " + decision.reason(),
                    Map.of("promoted", decision.promoted() ? 1 : 0));
        }
    }

    /** Metrics where a higher value is better; for the others lower is better. */
    static final java.util.Set<String> HIGHER_IS_BETTER = java.util.Set.of("auc", "pr_auc", "r2", "accuracy", "macro_f1", "f1");

    Promotion decide(String model, String version, RegisterStep.EvaluationView e) {
        if (e.championVersion() == null) {
            return new Promotion(model, version, version, true, "no champion yet");
        }
        String m = metric != null ? metric : e.headline();
        boolean higherIsBetter = HIGHER_IS_BETTER.contains(m);
        double cand = e.candidate(m);
        double champ = e.champion(m);
        String name = "holdout " + RegisterStep.EvaluationView.title(m);
        if (Double.isNaN(cand)) {
            return new Promotion(model, version, e.championVersion(), false, name + " of the candidate is undefined"
                    + (e.candidate().containsKey(m) ? (m.equals("auc") ? " (one class in the holdout)" : "") : " (the evaluation has no " + m
                    + "; set the promote step's metric to one of " + e.candidate().keySet() + ")"));
        }
        double gain = higherIsBetter ? cand - champ : champ - cand;
        String numbers = String.format("%s %.5f vs champion v%s %.5f (%s %.5f, required %.5f)", name, cand, e.championVersion(), champ,
                higherIsBetter ? "gain" : "reduction", gain, minImprovement);
        if (Double.isNaN(champ) || gain >= minImprovement) {
            return new Promotion(model, version, version, true, numbers);
        }
        return new Promotion(model, version, e.championVersion(), false, numbers);
    }
}
