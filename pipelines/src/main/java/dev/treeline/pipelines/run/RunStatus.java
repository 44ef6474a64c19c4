package dev.treeline.pipelines.run;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/**
 * The one vocabulary of run and step states: a step's in the run state file (PENDING … SKIPPED), and a
 * scheduled run's in the runs table and `treeline runs` (QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED),
 * which stores and prints {@link #label()}.
 */
public enum RunStatus {
    PENDING, QUEUED, RUNNING, SUCCEEDED, FAILED, SKIPPED, CANCELLED;

    /** Lower case, as the runs table stores it and the commands print it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** From a label or a name, in any case (run state files hold names). */
    @JsonCreator
    public static RunStatus of(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
