package dev.treeline.features.validate;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * A rule's or a report's outcome, spelled in lower case in the report. {@code REJECTED}: a row rule whose
 * breaking rows went to the rejects (the day still passes); {@code SKIPPED}: a drift rule with no baseline.
 */
public enum Outcome {
    PASS, WARN, FAIL, REJECTED, SKIPPED;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Outcome of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }

    /** A broken rule's outcome by its severity. */
    static Outcome broken(Severity severity) {
        return severity == Severity.FAIL ? FAIL : WARN;
    }

    /** The report's outcome after this one: fail beats warn beats pass; the others leave it. */
    Outcome worsen(Outcome report) {
        if (this == FAIL || (this == WARN && report == PASS)) return this;
        return report;
    }

    @Override
    public String toString() {
        return label();
    }
}
