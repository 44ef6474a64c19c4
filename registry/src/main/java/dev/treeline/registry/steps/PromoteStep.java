package dev.treeline.registry.steps;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.step.StaleInputException;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.pipelines.util.Messages;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowRegistry;
import dev.treeline.registry.review.Approval;
import dev.treeline.registry.review.EvaluationView;
import dev.treeline.registry.review.Gate;
import dev.treeline.registry.review.GateResult;
import dev.treeline.registry.review.GateRules;
import dev.treeline.registry.review.ModelLifecycle;
import dev.treeline.registry.s3.S3Clients;
import dev.treeline.registry.s3.S3Publisher;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Gates the candidate against the champion on the same holdout rows and records the outcome on the
 * version ({@code validation_status}, reasons). A version that fails is rejected and never becomes
 * champion. One that passes is approved and promoted by policy {@code auto_when_gate_passes}, or waits
 * as {@code PendingManualApproval} under {@code manual}. Decides only on numbers measured in this run,
 * and refuses to decide if the champion changed since they were measured.
 */
final class PromoteStep implements Step {
    private final GateRules rules;
    private final String approval;

    /** Null when the pipeline has no push step: decisions are recorded in MLflow only. */
    private final ServingTarget serving;

    PromoteStep(GateRules rules, String approval, ServingTarget serving) {
        this.serving = serving;
        this.rules = rules;
        this.approval = approval;
    }

    @Override
    public StepResult run(StepContext ctx) {
        EvaluationView e = RegisterStep.readEvaluation(ctx, ctx.input(0));
        ModelVersionRecord candidate = ctx.catalog().readJson(ctx.input(1), ModelVersionRecord.class);
        String model = candidate.model();
        String version = candidate.version();
        try (MlflowConnection mlflow = MlflowConnection.fromEnvironment(ctx.environment().requireMlflow());
             S3Client s3 = serving == null ? null : S3Clients.create(ctx.environment().s3())) {
            MlflowRegistry registry = mlflow.registry();
            S3Publisher publisher = s3 == null ? null : serving.publisher(s3, ctx.environment().s3());
            ModelLifecycle lifecycle = ModelLifecycle.forStep(ctx, mlflow, publisher);
            Optional<String> current = registry.byAlias(model, RegistryTags.CHAMPION).map(ModelRef::version);
            ModelRef ref = registry.version(model, version);

            Promotion decision;
            if (current.isPresent() && current.get().equals(version)) {
                decision = new Promotion(model, version, version, true, "already champion", GateResult.PASSED, Approval.Approved.name());
            } else {
                if (!current.equals(Optional.ofNullable(e.championVersion()))) {
                    // Another run promoted meanwhile (a backfill's concurrent dates): evaluate again against the new champion.
                    throw new StaleInputException(ctx.input(0), "the champion of " + model + " is now "
                            + current.map(v -> "version " + v).orElse("unset") + ", but evaluate compared against "
                            + (e.championVersion() == null ? "no champion" : "version " + e.championVersion())
                            + "; the run's next attempt evaluates again against it (a scheduled run retries by itself; by hand: treeline run <spec> --date "
                            + ctx.logicalDate() + ")");
                }
                decision = decide(ctx, lifecycle, ref, e);
            }
            ctx.tracker().setTags(Map.of("treeline.promoted", Boolean.toString(decision.promoted()), "treeline.promotion_reason", decision.reason(),
                    "treeline.gate_status", decision.validationStatus()));
            ctx.catalog().writeJson(ctx.output(0), decision);
            String head = decision.promoted() ? "champion is now version " + decision.championVersion()
                    : "champion stays " + (decision.championVersion() == null ? "unset" : "version " + decision.championVersion());
            return StepResult.of(head + " (gate " + decision.validationStatus() + ", " + decision.approvalStatus() + "): " + decision.reason(),
                    Map.of("promoted", decision.promoted() ? 1 : 0, "gate_passed", GateResult.PASSED.equals(decision.validationStatus()) ? 1 : 0));
        }
    }

    /** Gate, then the approval policy; a rerun after a crash finds the tags it wrote and carries on. */
    private Promotion decide(StepContext ctx, ModelLifecycle lifecycle, ModelRef ref, EvaluationView e) {
        String model = ref.model();
        String version = ref.version();
        GateResult gate = new Gate(rules).check(e);
        // A rerun after a crash finds the outcome recorded: the audit log gets it once.
        if (!gate.status().equals(ref.tags().get(RegistryTags.VALIDATION_STATUS))) lifecycle.recordGate(model, version, gate);
        MlflowRegistry registry = lifecycle.registry();
        registry.setDescription(model, version, RegisterStep.description(e) + "\n**Gate: " + gate.status() + "**\n\n"
                + String.join("\n", gate.reasons().stream().map(r -> "- " + r).toList()) + "\n");
        Approval existing = Approval.parse(ref.tags().get(RegistryTags.APPROVAL_STATUS));
        String reason = gate.summary();
        String champion = e.championVersion();
        if (!gate.passed()) {
            if (existing == null) lifecycle.setApproval(model, version, Approval.Rejected, "gate", "failed the gate (reasons in validation_reasons)");
            tagPromotion(registry, model, version, false, reason);
            return new Promotion(model, version, champion, false, reason, gate.status(), Approval.Rejected.name());
        }
        if (approval.equals(Approval.MANUAL)) {
            if (existing == null) lifecycle.setApproval(model, version, Approval.PendingManualApproval, "policy:" + approval, null);
            Approval now = existing == null ? Approval.PendingManualApproval : existing;
            if (now != Approval.Approved) {
                ctx.progress().detail("version " + version + " passed the gate and waits for approval: treeline models approve " + model + " " + version);
                tagPromotion(registry, model, version, false, "awaiting manual approval; " + reason);
                return new Promotion(model, version, champion, false, "awaiting manual approval; " + reason, gate.status(), now.name());
            }
        } else if (existing == null) {
            lifecycle.setApproval(model, version, Approval.Approved, "policy:" + approval, "gate passed");
        }
        // With a serving target, the version is published and champion.json moved with the alias, in one decision under the
        // model's lock: MLflow and serving never name different champions between this step and the push step.
        lifecycle.promoteOver(model, version, champion, "gate passed: " + reason, lifecycle.servesFromS3());
        tagPromotion(registry, model, version, true, reason);
        return new Promotion(model, version, version, true, reason, gate.status(), Approval.Approved.name());
    }

    private static void tagPromotion(MlflowRegistry registry, String model, String version, boolean promoted, String reason) {
        registry.setVersionTag(model, version, RegistryTags.PROMOTION, promoted ? "promoted" : "not_promoted");
        registry.setVersionTag(model, version, RegistryTags.PROMOTION_REASON, Messages.truncate(reason, RegistryTags.VALUE_MAX));
    }
}
