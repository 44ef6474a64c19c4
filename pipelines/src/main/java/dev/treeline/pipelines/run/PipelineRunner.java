package dev.treeline.pipelines.run;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.catalog.S3aSettings;
import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.env.RunDir;
import dev.treeline.pipelines.spec.Pipeline;
import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.StaleInputException;
import dev.treeline.pipelines.step.Step;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.step.StepResult;
import dev.treeline.pipelines.step.StopSignal;
import dev.treeline.pipelines.tracking.Tracker;
import dev.treeline.pipelines.tracking.Tracking;
import dev.treeline.pipelines.util.DidYouMean;
import dev.treeline.pipelines.util.FileLocks;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import dev.treeline.pipelines.util.Messages;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a pipeline for one logical date: in spec order, one step at a time, saving the run state after
 * every change. A date that succeeded is not run again (unless forced); a failed or interrupted date
 * resumes at the first step that did not succeed with the same cache key (step type, code version,
 * params, and the keys or fingerprints of its inputs).
 */
public final class PipelineRunner {
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Environment env;
    private final Supplier<Tracking> tracking;
    private final Supplier<SparkSession> spark;
    private final Progress progress;
    private final RunStore store;
    private final Clock clock;

    public PipelineRunner(Environment env, Supplier<Tracking> tracking, Supplier<SparkSession> spark, Progress progress) {
        this(env, tracking, spark, progress, Clock.systemUTC());
    }

    public PipelineRunner(Environment env, Supplier<Tracking> tracking, Supplier<SparkSession> spark, Progress progress, Clock clock) {
        this.env = env;
        this.tracking = tracking;
        this.spark = spark;
        this.progress = progress;
        this.store = new RunStore(env.runsDir());
        this.clock = clock;
    }

    /** The catalog of a run that has started, to read what its steps wrote (a report, a study) as datasets. */
    public Catalog catalog(PipelineSpec spec, RunState state) {
        LocalDate date = LocalDate.parse(state.logicalDate);
        return new Catalog(spark.get(), spec, env.workspace(), store.runDir(spec.name(), date, state.runId), state.runId);
    }

    public RunStore store() {
        return store;
    }

    public RunOutcome run(Pipeline pipeline, LocalDate date, RunOptions options) {
        return run(pipeline, date, options, StopSignal.NEVER);
    }

    /**
     * As {@link #run(Pipeline, LocalDate, RunOptions)}; {@code stop} is asked before each step (and by
     * steps before their registry and S3 writes), and when it gives a reason the run stops there (exit code
     * 130), its finished steps kept, so that a later run of the date resumes at that step. The controller
     * uses it for shutdowns, deadlines and cancels.
     */
    public RunOutcome run(Pipeline pipeline, LocalDate date, RunOptions options, StopSignal stop) {
        PipelineSpec spec = pipeline.spec();
        checkSlice(spec, options);
        try (FileLocks.Held lock = store.tryLock(spec.name(), date)) {
            if (lock == null) {
                throw new TreelineException(ExitCode.BUSY, spec.name() + " " + date + " is being run by another process ("
                        + store.dateDir(spec.name(), date) + "/.lock); wait for it to finish");
            }
            RunState state = store.load(spec.name(), date);
            if (state != null && state.status == RunStatus.SUCCEEDED && !options.force() && options.fromStep() == null) {
                progress.info(spec.name() + " " + date + ": already succeeded (run " + state.runId + "); nothing to do. Use --force to run it again.");
                return new RunOutcome(RunOutcome.Kind.ALREADY_SUCCEEDED, state);
            }
            // Resume keeps the run id, its data and its tracking run; --force starts a new run.
            // Connect before touching the run state: an unreachable MLflow changes nothing on disk.
            Tracking backend = tracking.get();
            boolean resume = state != null && !options.force();
            if (state != null && !resume) store.archive(state);
            if (!resume) state = newState(spec, date);
            state.attempt++;
            state.status = RunStatus.RUNNING;
            state.error = null;
            state.specHash = spec.specHash();
            state.finishedAt = null;
            syncSteps(state, spec);
            store.save(state);
            return execute(pipeline, date, options, state, resume, backend, stop);
        }
    }

    private RunOutcome execute(Pipeline pipeline, LocalDate date, RunOptions options, RunState state, boolean resume, Tracking backend,
                               StopSignal stop) {
        PipelineSpec spec = pipeline.spec();
        Tracker tracker;
        try {
            tracker = state.trackingRunId != null ? backend.resume(state.trackingRunId) : startTracking(backend, spec, state);
        } catch (RuntimeException e) {
            state.status = RunStatus.FAILED;
            state.error = e.getMessage();
            store.save(state);
            throw e;
        }
        state.trackingRunId = tracker.runId();
        state.trackingUrl = tracker.url();
        store.save(state);

        Path runDir = store.runDir(spec.name(), date, state.runId);
        state.logFile = NativeLog.mark(spec.name() + " " + date + " run " + state.runId + " attempt " + state.attempt);
        store.save(state);
        progress.info(spec.name() + " " + date + (resume ? ": resuming run " : ": run ") + state.runId
                + " (attempt " + state.attempt + ")" + (tracker.url().isEmpty() ? "" : " · " + tracker.url()));
        SparkSession session = spark.get();
        S3aSettings.apply(session.sparkContext().hadoopConfiguration(), env.s3());
        SparkJobProgress jobs = new SparkJobProgress(progress);
        session.sparkContext().addSparkListener(jobs);
        Catalog catalog = new Catalog(session, spec, env.workspace(), runDir, state.runId);

        Thread hook = new Thread(() -> markInterrupted(state, tracker));
        Runtime.getRuntime().addShutdownHook(hook);
        Instant runStart = clock.instant();
        Map<String, String> keys = new HashMap<>();
        int total = spec.steps().size();
        boolean inSlice = options.fromStep() == null;
        try {
            for (int i = 0; i < total; i++) {
                StepSpec stepSpec = spec.steps().get(i);
                Step step = pipeline.steps().get(i);
                StepState st = state.step(stepSpec.name());
                String key;
                try {
                    key = cacheKey(catalog, spec, stepSpec, step, date, keys);
                } catch (TreelineException e) {
                    st.status = RunStatus.FAILED;
                    st.error = e.getMessage();
                    throw new StepFailedException(stepSpec.name(), e.exitCode(), e.getMessage(), e);
                }
                keys.put(stepSpec.name(), key);
                if (stepSpec.name().equals(options.fromStep())) inSlice = true;
                String label = String.format("[%d/%d] %s", i + 1, total, stepSpec.name());

                boolean redo = options.fromStep() != null && inSlice;
                boolean cached = !redo && st.status == RunStatus.SUCCEEDED && key.equals(st.cacheKey)
                        && stepSpec.outputs().stream().allMatch(catalog::exists);
                String stopFor = cached ? null : stop.reason();
                if (stopFor != null) {
                    throw new TreelineException(ExitCode.INTERRUPTED, "stopped before step " + stepSpec.name() + " (" + stopFor + "); the run resumes there");
                }
                if (cached) {
                    progress.info(label + ": done earlier in this run, skipped");
                } else if (!inSlice) {
                    throw new TreelineException(ExitCode.USAGE, "cannot start at step '" + options.fromStep() + "': step '"
                            + stepSpec.name() + "' before it has not succeeded for " + date + "; run without --from-step first");
                } else {
                    jobs.step(label, label);
                    try {
                        runStep(label, step, stepSpec, st, key, new StepContext(session, catalog, spec, stepSpec, date, state.runId,
                                tracker, backend.models(), env, Progress.labelled(progress, label),
                                new RunDir(runDir).scratch(stepSpec.name()), stop), state, tracker);
                    } catch (StepFailedException failed) {
                        if (failed.getCause() instanceof StaleInputException stale) redoFrom(spec, state, stale.dataset(), i);
                        throw failed;
                    } finally {
                        jobs.step(null, null);
                        progress.endStatus(label);
                    }
                }
                if (stepSpec.name().equals(options.toStep())) break;
            }
            boolean complete = options.toStep() == null || spec.steps().get(total - 1).name().equals(options.toStep());
            state.status = complete ? RunStatus.SUCCEEDED : RunStatus.PENDING;
            state.finishedAt = clock.instant().toString();
            state.seconds = seconds(runStart);
            store.save(state);
            tracker.logMetrics(Map.of("run_seconds", state.seconds));
            // A slice ends the tracking run too (tagged); resuming the date reopens it.
            tracker.setTags(Map.of("treeline.stopped_after", complete ? "" : options.toStep()));
            tracker.end(true);
            progress.info(spec.name() + " " + date + ": " + (complete ? "succeeded" : "stopped after step " + options.toStep())
                    + String.format(" in %.1f s", state.seconds));
            return new RunOutcome(RunOutcome.Kind.SUCCEEDED, state);
        } catch (RuntimeException e) {
            state.status = RunStatus.FAILED;
            state.finishedAt = clock.instant().toString();
            state.seconds = seconds(runStart);
            state.error = e.getMessage();
            saveAfterFailure(state, e);
            try {
                tracker.setTags(Map.of("treeline.error", Messages.truncate(String.valueOf(e.getMessage()), 4000)));
                tracker.end(false);
            } catch (RuntimeException trackingDown) {
                e.addSuppressed(trackingDown);
            }
            throw e;
        } finally {
            session.sparkContext().removeSparkListener(jobs);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running; it records the interruption
            }
        }
    }

    /** Marks the step that wrote {@code dataset}, and the steps after it up to {@code failed}, to run again on the next attempt. */
    private void redoFrom(PipelineSpec spec, RunState state, String dataset, int failed) {
        for (int j = 0; j < failed; j++) {
            if (!spec.steps().get(j).outputs().contains(dataset)) continue;
            for (int k = j; k < failed; k++) {
                StepState redo = state.step(spec.steps().get(k).name());
                redo.status = RunStatus.PENDING;
                redo.cacheKey = null;
            }
            // Saved with the failure, by the caller.
            progress.info("step '" + spec.steps().get(j).name() + "' runs again on the next attempt: its output " + dataset + " is out of date");
            return;
        }
    }

    /** Records a failure; when that write fails too (the disk that failed the step), the step's error is what the user sees. */
    private void saveAfterFailure(RunState state, Exception failure) {
        try {
            store.save(state);
        } catch (RuntimeException cannotRecord) {
            failure.addSuppressed(cannotRecord);
        }
    }

    private void runStep(String label, Step step, StepSpec stepSpec, StepState st, String key, StepContext ctx, RunState state, Tracker tracker) {
        st.status = RunStatus.RUNNING;
        st.attempts++;
        st.cacheKey = key;
        st.error = null;
        st.startedAt = clock.instant().toString();
        store.save(state);
        progress.status(label, label + " (" + stepSpec.type() + ")", Double.NaN);
        Instant start = clock.instant();
        try {
            StepResult result = step.run(ctx);
            st.status = RunStatus.SUCCEEDED;
            st.seconds = seconds(start);
            st.summary = result.summary();
            st.numbers = new LinkedHashMap<>(result.numbers());
            st.facts = new LinkedHashMap<>(result.facts());
            store.save(state);
            tracker.logMetrics(Map.of("step_seconds_" + stepSpec.name(), st.seconds));
            progress.info(String.format("%s: ok in %.1f s%s", label, st.seconds, result.summary().isEmpty() ? "" : " · " + result.summary()));
        } catch (Exception e) {
            st.status = RunStatus.FAILED;
            st.seconds = seconds(start);
            ExitCode code = ExitCode.FAILURE;
            String message;
            if (e instanceof TreelineException te) {
                code = te.exitCode();
                message = te.getMessage();
            } else if (Messages.diskFull(e)) {
                message = "no space left on the device holding the workspace (" + env.workspace() + ") or the step's outputs; free space"
                        + " and run the date again (published data is untouched)";
            } else {
                message = Messages.rootDescription(e);
            }
            st.error = message;
            saveAfterFailure(state, e);
            progress.info(String.format("%s: FAILED after %.1f s", label, st.seconds));
            throw new StepFailedException(stepSpec.name(), code, message, e);
        }
    }

    private Tracker startTracking(Tracking backend, PipelineSpec spec, RunState state) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("treeline.pipeline", spec.name());
        tags.put("treeline.logical_date", state.logicalDate);
        tags.put("treeline.run_id", state.runId);
        tags.put("treeline.spec_hash", spec.specHash());
        tags.put("mlflow.source.name", String.valueOf(spec.file()));
        tags.put("mlflow.source.type", "JOB");
        Path specDir = spec.file() == null ? Path.of(".") : spec.file().toAbsolutePath().getParent();
        tags.put("mlflow.source.git.commit", GitInfo.commit(specDir));
        Tracker tracker = backend.start(spec.name(), spec.name() + "-" + state.logicalDate, tags);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("pipeline", spec.name());
        params.put("logical_date", state.logicalDate);
        params.put("spec_hash", spec.specHash());
        if (spec.splitsRows()) params.put("split", spec.split().describe() + ", seed " + spec.split().seed());
        else params.put("window", spec.window().at(LocalDate.parse(state.logicalDate)).toString());
        tracker.logParams(params);
        return tracker;
    }

    private String cacheKey(Catalog catalog, PipelineSpec spec, StepSpec stepSpec, Step step, LocalDate date, Map<String, String> keys) {
        Map<String, Object> parts = new LinkedHashMap<>();
        parts.put("type", stepSpec.type());
        parts.put("version", step.version());
        parts.put("params", stepSpec.params() == null ? Map.of() : stepSpec.params().toPlain());
        parts.put("outputs", stepSpec.outputs());
        parts.put("date", date.toString());
        parts.put("window", spec.window());
        if (spec.splitsRows()) parts.put("split", spec.split());
        Map<String, String> inputs = new LinkedHashMap<>();
        for (String in : stepSpec.inputs()) {
            String producer = producerOf(spec, in);
            inputs.put(in, producer != null ? keys.get(producer) : catalog.fingerprint(in));
        }
        parts.put("inputs", inputs);
        return Hashing.sha256(Json.canonical(parts)).substring(0, 16);
    }

    private static String producerOf(PipelineSpec spec, String dataset) {
        for (StepSpec s : spec.steps()) if (s.outputs().contains(dataset)) return s.name();
        return null;
    }

    private RunState newState(PipelineSpec spec, LocalDate date) {
        RunState s = new RunState();
        s.pipeline = spec.name();
        s.logicalDate = date.toString();
        s.runId = RUN_ID.format(clock.instant()) + "-" + UUID.randomUUID().toString().substring(0, 4);
        s.specFile = spec.file() == null ? null : spec.file().toAbsolutePath().toString();
        s.startedAt = clock.instant().toString();
        return s;
    }

    /** Makes the state's step list match the spec (a resumed run may follow an edited spec). */
    private static void syncSteps(RunState state, PipelineSpec spec) {
        List<StepState> synced = spec.steps().stream().map(s -> {
            StepState existing = state.step(s.name());
            return existing != null && existing.type.equals(s.type()) ? existing : new StepState(s.name(), s.type());
        }).toList();
        state.steps = new ArrayList<>(synced);
    }

    private static void checkSlice(PipelineSpec spec, RunOptions options) {
        for (String s : new String[] {options.fromStep(), options.toStep()}) {
            if (s != null && spec.step(s) == null) {
                throw new TreelineException(ExitCode.USAGE, "no step named '" + s + "' in " + spec.file()
                        + DidYouMean.hint(s, spec.steps().stream().map(StepSpec::name).toList()));
            }
        }
    }

    private void markInterrupted(RunState state, Tracker tracker) {
        if (state.status != RunStatus.RUNNING) return;
        state.status = RunStatus.FAILED;
        state.error = "interrupted";
        state.finishedAt = clock.instant().toString();
        state.steps.stream().filter(s -> s.status == RunStatus.RUNNING).forEach(s -> {
            s.status = RunStatus.FAILED;
            s.error = "interrupted";
        });
        store.save(state);
        try {
            tracker.end(false);
        } catch (RuntimeException ignored) {
            // the process is exiting; the next run resumes anyway
        }
    }

    private double seconds(Instant start) {
        return Math.round((clock.millis() - start.toEpochMilli()) / 100.0) / 10.0;
    }
}
