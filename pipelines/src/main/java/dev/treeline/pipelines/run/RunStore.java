package dev.treeline.pipelines.run;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.pipelines.util.FileLocks;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Run state on disk: {@code <workspace>/runs/<pipeline>/<date>/state.json} is the current run of that
 * date; each run's data lives in {@code <date>/<run id>/}; a forced rerun archives the old state in
 * {@code <date>/history/}.
 */
public final class RunStore {
    private final Path runsDir;

    public RunStore(Path runsDir) {
        this.runsDir = runsDir;
    }

    public Path dateDir(String pipeline, LocalDate date) {
        return runsDir.resolve(pipeline).resolve(date.toString());
    }

    public Path runDir(String pipeline, LocalDate date, String runId) {
        return dateDir(pipeline, date).resolve(runId);
    }

    public RunState load(String pipeline, LocalDate date) {
        Path file = dateDir(pipeline, date).resolve("state.json");
        if (!Files.exists(file)) return null;
        try {
            return Json.read(file, RunState.class);
        } catch (IOException e) {
            throw new TreelineException(ExitCode.FAILURE, file + ": unreadable run state (" + e.getMessage()
                    + "); move it away to start this date afresh");
        }
    }

    public void save(RunState state) {
        try {
            Json.writeAtomically(dateDir(state.pipeline, LocalDate.parse(state.logicalDate)).resolve("state.json"), state);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save run state", e);
        }
    }

    public void archive(RunState state) {
        Path dir = dateDir(state.pipeline, LocalDate.parse(state.logicalDate));
        try {
            Files.createDirectories(dir.resolve("history"));
            AtomicFiles.move(dir.resolve("state.json"), dir.resolve("history").resolve(state.runId + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot archive run state", e);
        }
    }

    /** Holds the date for this process, or returns null when another process is running it. */
    public FileLocks.Held tryLock(String pipeline, LocalDate date) {
        try {
            return FileLocks.tryAcquire(dateDir(pipeline, date).resolve(".lock"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the run directory", e);
        }
    }

    /** Current states of every date of a pipeline (or all pipelines when null), newest date first. */
    public List<RunState> list(String pipeline) {
        List<RunState> out = new ArrayList<>();
        if (!Files.isDirectory(runsDir)) return out;
        try (Stream<Path> pipelines = Files.list(runsDir)) {
            for (Path p : pipelines.filter(Files::isDirectory).toList()) {
                if (pipeline != null && !p.getFileName().toString().equals(pipeline)) continue;
                try (Stream<Path> dates = Files.list(p)) {
                    for (Path d : dates.toList()) {
                        Path state = d.resolve("state.json");
                        if (Files.exists(state)) out.add(Json.read(state, RunState.class));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort((a, b) -> b.logicalDate.compareTo(a.logicalDate));
        return out;
    }
}
