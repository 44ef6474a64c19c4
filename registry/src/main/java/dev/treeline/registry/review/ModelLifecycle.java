package dev.treeline.registry.review;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.Workspace;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StopSignal;
import dev.treeline.pipelines.tracking.ModelRef;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.pipelines.util.FileLocks;
import dev.treeline.pipelines.util.Messages;
import dev.treeline.pipelines.util.SafePaths;
import dev.treeline.registry.mlflow.MlflowConnection;
import dev.treeline.registry.mlflow.MlflowRegistry;
import dev.treeline.registry.mlflow.MlflowTracking;
import dev.treeline.registry.s3.Manifest;
import dev.treeline.registry.s3.Routing;
import dev.treeline.registry.s3.S3Publisher;
import dev.treeline.registry.steps.RegistryTags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The review and deployment decisions on a registered model, for the CLI and the promote step alike:
 * gate outcome, approval, promotion (alias {@code champion}, the old champion keeps {@code previous}),
 * rollback, and A/B tests. Every decision is written to the version's tags and the audit log. Serving
 * (S3) changes only through published, immutable version prefixes and pointers written last.
 */
public final class ModelLifecycle {
    private final MlflowConnection mlflow;
    private final MlflowRegistry registry;
    private final S3Publisher s3;
    private final AuditLog audit;
    private final Path scratch;
    private final String actor;
    private final StopSignal stop;
    private final Path workspace;
    /** Models whose lock this thread holds: a decision that calls another (approve sets the approval) takes it once. */
    private static final ThreadLocal<Set<String>> HELD = ThreadLocal.withInitial(HashSet::new);

    /** {@code s3} may be null: decisions are then recorded in MLflow and the local audit log only, and nothing is published. */
    public ModelLifecycle(MlflowConnection mlflow, S3Publisher s3, AuditLog audit, Path scratch, String actor) {
        this(mlflow, s3, audit, scratch, actor, StopSignal.NEVER, null);
    }

    /**
     * As above; every decision and publication first asks {@code stop} (a run that was given up on writes
     * nothing), and with a {@code workspace} decisions on one model are taken one at a time under its lock
     * there ({@link Workspace#modelLock}), each re-reading the registry inside it.
     */
    public ModelLifecycle(MlflowConnection mlflow, S3Publisher s3, AuditLog audit, Path scratch, String actor, StopSignal stop, Path workspace) {
        this.stop = stop;
        this.workspace = workspace;
        this.mlflow = mlflow;
        this.registry = mlflow.registry();
        this.s3 = s3;
        this.audit = audit;
        this.scratch = scratch;
        this.actor = actor;
    }

    /** The lifecycle as a pipeline step acts on it: audited in the workspace, as "pipeline NAME DATE". */
    public static ModelLifecycle forStep(StepContext ctx, MlflowConnection mlflow, S3Publisher s3) {
        return new ModelLifecycle(mlflow, s3, new AuditLog(ctx.environment().workspace(), s3), ctx.scratchDir(),
                "pipeline " + ctx.pipeline().name() + " " + ctx.logicalDate(), ctx.stop(), ctx.environment().workspace());
    }

    /** The lifecycle as a person acts on it from the command line: audited in {@code workspace}, as {@link #actor}. */
    public static ModelLifecycle forUser(Path workspace, MlflowConnection mlflow, S3Publisher s3, Path scratch) {
        return new ModelLifecycle(mlflow, s3, new AuditLog(workspace, s3), scratch, actor(System::getenv), StopSignal.NEVER, workspace);
    }

    /**
     * Downloads a published version into {@code dir} (removed afterwards), checks every file against its
     * manifest and the pointer, then lets {@code check} reload the bundle and re-score its stored sample.
     */
    public Verification verify(String model, String version, String requested, Path dir, Verification.BundleCheck check) throws IOException {
        if (s3 == null) throw new IllegalStateException("verify needs the serving bucket");
        try {
            AtomicFiles.deleteRecursively(dir);
            List<String> problems = new ArrayList<>(s3.download(model, version, dir));
            int files;
            try (var walk = Files.walk(dir)) {
                files = (int) walk.filter(Files::isRegularFile).count();
            }
            boolean serving = s3.pointer(model).map(p -> p.version().equals(version)).orElse(false);
            Verification.Parity parity = null;
            if (problems.isEmpty()) {
                try {
                    parity = check.check(dir);
                    if (parity == null) problems.add("no scoring sample in the published version");
                    else if (!parity.holds()) {
                        problems.add(String.format("re-scoring the %d sample rows differs from the expected predictions by up to %.3g (tolerance %.0e)",
                                parity.rows(), parity.maxAbsDiff(), parity.tolerance()));
                    }
                } catch (RuntimeException e) {
                    problems.add("cannot load the published model: " + Messages.rootMessage(e));
                }
            }
            return new Verification(model, version, requested, s3.location(s3.versionPrefix(model, version)), files, serving, problems.isEmpty(),
                    List.copyOf(problems), parity == null ? null : parity.rows(), parity == null ? null : parity.maxAbsDiff(),
                    parity == null ? null : parity.tolerance());
        } finally {
            AtomicFiles.deleteRecursively(dir);
        }
    }

    /** Who acts: {@code TREELINE_USER}, else the OS user. */
    public static String actor(Function<String, String> env) {
        String u = env.apply("TREELINE_USER");
        return u != null && !u.isBlank() ? u : System.getProperty("user.name", "unknown");
    }

    public MlflowRegistry registry() {
        return registry;
    }

    public AuditLog audit() {
        return audit;
    }

    // ---- gate and approval ------------------------------------------------------------------------

    public void recordGate(String model, String version, GateResult gate) {
        decide(model, () -> {
            recordGateLocked(model, version, gate);
            return null;
        });
    }

    private void recordGateLocked(String model, String version, GateResult gate) {
        stop.check("recording the gate of " + model);
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(RegistryTags.VALIDATION_STATUS, gate.status());
        tags.put(RegistryTags.VALIDATION_REASONS, Messages.truncate(gate.summary(), RegistryTags.VALUE_MAX));
        tags.put(RegistryTags.VALIDATION_METRIC, gate.metric());
        registry.setVersionTags(model, version, tags);
        audit.append(model, version, "gate_" + gate.status(), "gate", null, Map.of("metric", gate.metric(), "reasons", gate.reasons()));
    }

    public void approve(String model, String version, String comment) {
        decide(model, () -> {
            approveLocked(model, version, comment);
            return null;
        });
    }

    private void approveLocked(String model, String version, String comment) {
        stop.check("approving " + model);
        ModelRef v = registry.version(model, version);
        requireGatePassed(v, "approve");
        if (Approval.parse(v.tags().get(RegistryTags.APPROVAL_STATUS)) == Approval.Rejected) {
            throw refused(model + " version " + version + " was rejected by " + v.tags().get(RegistryTags.APPROVAL_BY)
                    + "; a rejected version stays rejected: register a new version");
        }
        setApproval(model, version, Approval.Approved, actor, comment);
    }

    public void reject(String model, String version, String comment) {
        decide(model, () -> {
            rejectLocked(model, version, comment);
            return null;
        });
    }

    private void rejectLocked(String model, String version, String comment) {
        stop.check("rejecting " + model);
        registry.version(model, version);
        if (version.equals(registry.aliases(model).get(RegistryTags.CHAMPION))) {
            throw refused(model + " version " + version + " is the champion; roll back first (treeline models rollback " + model + ")");
        }
        Optional<Routing> r = s3 == null ? Optional.empty() : s3.routing(model);
        if (r.isPresent() && r.get().running() && r.get().variants().stream().anyMatch(x -> x.version().equals(version))) {
            throw refused(model + " version " + version + " takes traffic in A/B test " + r.get().experiment() + "; stop it first (treeline models ab stop "
                    + model + " --abort)");
        }
        setApproval(model, version, Approval.Rejected, actor, comment);
    }

    /** Sets the approval tags and logs the decision. */
    public void setApproval(String model, String version, Approval status, String by, String comment) {
        decide(model, () -> {
            setApprovalLocked(model, version, status, by, comment);
            return null;
        });
    }

    private void setApprovalLocked(String model, String version, Approval status, String by, String comment) {
        stop.check("setting the approval of " + model);
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(RegistryTags.APPROVAL_STATUS, status.name());
        tags.put(RegistryTags.APPROVAL_BY, by);
        tags.put(RegistryTags.APPROVAL_AT, Instant.now().toString());
        tags.put(RegistryTags.APPROVAL_COMMENT, comment == null ? "" : Messages.truncate(comment, RegistryTags.VALUE_MAX));
        registry.setVersionTags(model, version, tags);
        audit.append(model, version, switch (status) {
            case Approved -> "approved";
            case Rejected -> "rejected";
            case PendingManualApproval -> "pending_manual_approval";
        }, by, comment, Map.of());
    }

    // ---- promotion and rollback -------------------------------------------------------------------

    /**
     * Makes {@code version} the champion: it must have passed the gate and be approved. The old
     * champion keeps alias {@code previous}. With S3, the version is published (if not already) and
     * {@code champion.json} re-pointed, last. Repeating a promotion completes what a crash left undone.
     */
    public String promote(String model, String version, String comment, boolean publish) {
        return decide(model, () -> promoteLocked(model, version, comment, publish));
    }

    /**
     * As {@link #promote}, but only while the champion is still {@code expectedChampion} (null: none), checked
     * under the model's lock: a gate that compared against one champion never replaces another.
     */
    public String promoteOver(String model, String version, String expectedChampion, String comment, boolean publish) {
        return decide(model, () -> {
            String current = registry.aliases(model).get(RegistryTags.CHAMPION);
            if (!version.equals(current) && !Objects.equals(current, expectedChampion)) {
                throw new TreelineException(ExitCode.FAILURE, "the champion of " + model + " is now " + (current == null ? "unset" : "version " + current)
                        + ", but the gate compared against " + (expectedChampion == null ? "no champion" : "version " + expectedChampion)
                        + "; evaluate again against the new champion");
            }
            return promoteLocked(model, version, comment, publish);
        });
    }

    private String promoteLocked(String model, String version, String comment, boolean publish) {
        stop.check("promoting " + model);
        ModelRef v = registry.version(model, version);
        requirePromotable(v);
        Optional<Routing> routing = s3 == null ? Optional.empty() : s3.routing(model);
        if (routing.isPresent() && routing.get().running()) {
            throw refused("A/B test " + routing.get().experiment() + " is running on " + model + "; end it with treeline models ab stop " + model
                    + " --promote or --abort");
        }
        if (publish) publishVersion(v);
        return moveChampion(model, version, comment, publish, Map.of());
    }

    /** Alias champion to {@code version} (the old one keeps previous), champion.json when publishing, then the record. */
    private String moveChampion(String model, String version, String comment, boolean publish, Map<String, Object> details) {
        String current = registry.aliases(model).get(RegistryTags.CHAMPION);
        if (current != null && !current.equals(version)) registry.setAlias(model, RegistryTags.PREVIOUS, current);
        if (!version.equals(current)) registry.setAlias(model, RegistryTags.CHAMPION, version);
        if (publish) {
            s3.pointChampion(model, version);
            // Another host may have moved the alias meanwhile (the lock is per host): serving follows MLflow's champion.
            String now = registry.aliases(model).get(RegistryTags.CHAMPION);
            // (Unless it is not published yet: then its promoter points serving at it once it is.)
            if (now != null && !now.equals(version) && s3.published(model, now).isPresent()) s3.pointChampion(model, now);
        }
        registry.setVersionTag(model, version, RegistryTags.PROMOTED_AT, Instant.now().toString());
        if (!version.equals(current)) {
            Map<String, Object> all = new LinkedHashMap<>(details);
            if (current != null) all.put("previous", current);
            audit.append(model, version, "promoted", actor, comment, all);
        }
        return current;
    }

    /** Whether decisions also move serving ({@code champion.json} in S3). */
    public boolean servesFromS3() {
        return s3 != null;
    }

    /** What {@link #serveChampion} did: the champion serving now names (null: none yet) and whether the pointer moved. */
    public record Served(String champion, String manifestSha256, boolean moved) {}

    /**
     * Points serving at the model's champion as MLflow names it now (not as some earlier step saw it),
     * publishing it first if needed, under the model's lock: a pipeline's push step in a backfill never
     * points serving back at a champion another run has replaced meanwhile.
     */
    public Served serveChampion(String model, String by) {
        requireS3();
        return decide(model, () -> {
            String champion = registry.aliases(model).get(RegistryTags.CHAMPION);
            if (champion == null) return new Served(null, null, false);
            String sha = publishVersion(registry.version(model, champion));
            stop.check("pointing serving at " + model + " version " + champion);
            boolean moved = s3.pointChampion(model, champion);
            if (moved) audit.append(model, champion, "serving_pointed", by, null, Map.of("pointer", s3.location(s3.pointerKey(model))));
            return new Served(champion, sha, moved);
        });
    }

    /** Restores alias {@code previous} as the champion and re-points serving; returns the version rolled back from. */
    public String rollback(String model, String comment) {
        return decide(model, () -> rollbackLocked(model, comment));
    }

    private String rollbackLocked(String model, String comment) {
        stop.check("rolling back " + model);
        Map<String, String> aliases = registry.aliases(model);
        String previous = aliases.get(RegistryTags.PREVIOUS);
        String current = aliases.get(RegistryTags.CHAMPION);
        if (previous == null) {
            throw refused(model + " has no alias '" + RegistryTags.PREVIOUS + "' to roll back to (champion is "
                    + (current == null ? "unset" : "version " + current) + "); promote a version instead: treeline models promote " + model + " <version>");
        }
        if (previous.equals(current)) {
            // A rollback interrupted after moving the champion alias (both aliases name the restored version): finish it.
            registry.deleteAlias(model, RegistryTags.PREVIOUS);
            if (s3 != null) s3.pointChampion(model, previous);
            audit.append(model, previous, "rolled_back", actor, comment, Map.of("completed", "an interrupted rollback"));
            return null;
        }
        ModelRef v = registry.version(model, previous);
        if (s3 != null) {
            publishVersion(v);
            s3.routing(model).filter(Routing::running).ifPresent(r -> endRouting(r, previous, "rolled_back"));
        }
        // The version rolled back from is marked before the aliases move, so a crash after them still says which it was.
        if (current != null) registry.setVersionTag(model, current, RegistryTags.ROLLED_BACK_AT, Instant.now().toString());
        registry.setAlias(model, RegistryTags.CHAMPION, previous);
        registry.deleteAlias(model, RegistryTags.PREVIOUS);
        if (s3 != null) s3.pointChampion(model, previous);
        audit.append(model, previous, "rolled_back", actor, comment, current == null ? Map.of() : Map.of("from", current));
        return current;
    }

    // ---- A/B tests --------------------------------------------------------------------------------

    /** Routes {@code traffic}% to the challenger and the rest to the champion; both published first, routing.json last. */
    public Routing abStart(String model, String challenger, int traffic, String comment) {
        return decide(model, () -> abStartLocked(model, challenger, traffic, comment));
    }

    private Routing abStartLocked(String model, String challenger, int traffic, String comment) {
        stop.check("starting an A/B test of " + model);
        requireS3();
        if (traffic < 1 || traffic > 99) throw new TreelineException(ExitCode.USAGE, "--traffic must be between 1 and 99 (percent), not " + traffic);
        String champion = registry.aliases(model).get(RegistryTags.CHAMPION);
        if (champion == null) throw refused(model + " has no champion to test against; promote a version first");
        if (champion.equals(challenger)) throw refused("version " + challenger + " is the champion already");
        Optional<Routing> current = s3.routing(model);
        if (current.isPresent() && current.get().running()) {
            Routing.Variant c = current.get().variant("challenger");
            if (c != null && c.version().equals(challenger) && c.weight() == traffic) return current.get();
            throw refused("A/B test " + current.get().experiment() + " is already running on " + model + "; stop it first");
        }
        ModelRef ch = registry.version(model, challenger);
        requirePromotable(ch);
        String chSha = publishVersion(ch);
        String champSha = publishVersion(registry.version(model, champion));
        String id = model + "-ab-" + Instant.now().toString().replaceAll("[^0-9]", "").substring(0, 14);
        Routing r = new Routing(model, id, Routing.RUNNING, List.of(
                new Routing.Variant("champion", champion, 100 - traffic, s3.location(s3.versionPrefix(model, champion)), champSha),
                new Routing.Variant("challenger", challenger, traffic, s3.location(s3.versionPrefix(model, challenger)), chSha)),
                Instant.now().toString(), null, null);
        s3.writeRouting(r);
        registry.setVersionTag(model, challenger, RegistryTags.AB, id + ": challenger, " + traffic + "% of traffic");
        registry.setVersionTag(model, champion, RegistryTags.AB, id + ": champion, " + (100 - traffic) + "% of traffic");
        audit.append(model, challenger, "ab_started", actor, comment, Map.of("experiment", id, "traffic", traffic, "champion", champion));
        return r;
    }

    public Optional<Routing> abStatus(String model) {
        requireS3();
        return s3.routing(model);
    }

    /** Ends the running A/B test: {@code promote} makes the challenger champion, else the champion takes all traffic again. */
    public Routing abStop(String model, boolean promote, String comment) {
        return decide(model, () -> abStopLocked(model, promote, comment));
    }

    private Routing abStopLocked(String model, boolean promote, String comment) {
        stop.check("stopping the A/B test of " + model);
        requireS3();
        Routing r = s3.routing(model).filter(Routing::running)
                .orElseThrow(() -> refused("no A/B test is running on " + model + " (treeline models ab status " + model + ")"));
        Routing.Variant challenger = r.variant("challenger");
        String winner;
        if (promote) {
            // The routing still names the test while the champion moves (promote() refuses while a test runs).
            requirePromotable(registry.version(model, challenger.version()));
            moveChampion(model, challenger.version(), comment, true, Map.of("experiment", r.experiment()));
            winner = challenger.version();
        } else {
            winner = r.variant("champion").version();
        }
        Routing ended = endRouting(r, winner, promote ? "promoted" : "aborted");
        for (Routing.Variant x : r.variants()) {
            registry.setVersionTag(model, x.version(), RegistryTags.AB, r.experiment() + ": ended (" + ended.outcome() + ")");
        }
        audit.append(model, challenger.version(), promote ? "ab_promoted" : "ab_aborted", actor, comment, Map.of("experiment", r.experiment()));
        return ended;
    }

    private Routing endRouting(Routing r, String version, String outcome) {
        String sha = s3.published(r.model(), version).map(Map.Entry::getValue).orElse(null);
        Routing ended = new Routing(r.model(), r.experiment(), Routing.ENDED,
                List.of(new Routing.Variant("champion", version, 100, s3.location(s3.versionPrefix(r.model(), version)), sha)),
                r.startedAt(), Instant.now().toString(), outcome);
        s3.writeRouting(ended);
        return ended;
    }

    // ---- publishing -------------------------------------------------------------------------------

    /** Publishes a version's files exactly as MLflow holds them; returns the manifest's sha256. */
    public String publishVersion(ModelRef v) {
        stop.check("publishing " + v.model());
        requireS3();
        Optional<Map.Entry<Manifest, String>> done = s3.published(v.model(), v.version());
        if (done.isPresent()) return done.get().getValue();
        Path local = scratch.resolve("publish-" + v.model() + "-v" + v.version());
        delete(local);
        new MlflowTracking(mlflow).download(v, local);
        VersionLineage lineage = VersionLineage.of(mlflow, v);
        S3Publisher.Result r = s3.publishVersion(local, v.model(), v.version(), v.runId(), lineage.lineage(), lineage.holdout());
        registry.setVersionTag(v.model(), v.version(), RegistryTags.PUBLISHED, s3.location(s3.versionPrefix(v.model(), v.version())));
        audit.append(v.model(), v.version(), "published", actor, null, Map.of("location", s3.location(s3.versionPrefix(v.model(), v.version())),
                "manifest_sha256", r.manifestSha256(), "files", r.manifest().files().size()));
        delete(local);
        return r.manifestSha256();
    }

    private static void delete(Path p) {
        try {
            AtomicFiles.deleteRecursively(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- checks -----------------------------------------------------------------------------------

    private static void requireGatePassed(ModelRef v, String action) {
        String status = v.tags().get(RegistryTags.VALIDATION_STATUS);
        if (!GateResult.PASSED.equals(status)) {
            throw refused("cannot " + action + " " + v.model() + " version " + v.version() + ": its gate status is "
                    + (status == null ? "unknown (it was not gated)" : status + " (" + v.tags().getOrDefault(RegistryTags.VALIDATION_REASONS, "") + ")")
                    + "; only versions that pass the gate can be approved, promoted or take traffic");
        }
    }

    private static void requirePromotable(ModelRef v) {
        requireGatePassed(v, "promote");
        Approval a = Approval.parse(v.tags().get(RegistryTags.APPROVAL_STATUS));
        if (a != Approval.Approved) {
            throw refused(v.model() + " version " + v.version() + " is " + (a == null ? "not approved" : a.name())
                    + "; approve it first: treeline models approve " + v.model() + " " + v.version() + " --comment \"...\"");
        }
    }

    private void requireS3() {
        if (s3 == null) throw new TreelineException(ExitCode.USAGE, "no S3 location for serving is known; pass --bucket (and --prefix)");
    }

    /**
     * Runs one decision on {@code model} under the model's lock in the workspace, so two promoters (a backfill's
     * runs, a person at the command line during a run) cannot interleave: each reads the aliases and
     * {@code champion.json} inside the lock, so neither loses {@code previous} nor leaves serving on a version
     * MLflow does not call champion. The lock is per host (a file lock); across hosts see docs/reliability.md.
     */
    private <T> T decide(String model, Supplier<T> decision) {
        if (HELD.get().contains(model)) return decision.get();
        if (workspace == null) {
            converge(model);
            return decision.get();
        }
        try (FileLocks.Held held = FileLocks.acquire(Workspace.at(workspace).modelLock(SafePaths.modelName(model)))) {
            HELD.get().add(model);
            try {
                converge(model);
                return decision.get();
            } finally {
                HELD.get().remove(model);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take the lock of model " + model + " in " + workspace, e);
        }
    }

    /**
     * Completes what an interrupted decision left before taking the next one: serving ({@code champion.json})
     * follows MLflow's champion alias once that version is published. A promotion or rollback killed between
     * moving the alias and re-pointing serving thus converges on the model's next decision, whoever takes it.
     */
    private void converge(String model) {
        if (s3 == null) return;
        String champion = registry.aliases(model).get(RegistryTags.CHAMPION);
        if (champion == null) return;
        Optional<String> serving = s3.pointer(model).map(p -> p.version());
        if (serving.isPresent() && serving.get().equals(champion)) return;
        // Not published yet: its promoter publishes it and then points serving at it.
        if (s3.published(model, champion).isEmpty()) return;
        s3.pointChampion(model, champion);
        audit.append(model, champion, "serving_repointed", actor, "serving named " + serving.map(v -> "version " + v).orElse("no version")
                + " while MLflow's champion is version " + champion + " (an interrupted decision)", Map.of());
    }

    private static TreelineException refused(String message) {
        return new TreelineException(ExitCode.FAILURE, message);
    }
}
