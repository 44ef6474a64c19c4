package dev.treeline.pipelines.spec;

import java.time.LocalDate;

/** Concrete day ranges for one logical date; every range is inclusive. */
public record DateWindow(LocalDate trainFrom, LocalDate validationFrom, LocalDate holdoutFrom, LocalDate logicalDate) {
    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";
    public static final String HOLDOUT = "holdout";

    public LocalDate trainTo() {
        return validationFrom.minusDays(1);
    }

    public LocalDate validationTo() {
        return holdoutFrom.minusDays(1);
    }

    public LocalDate holdoutTo() {
        return logicalDate;
    }

    /** The split a day belongs to, or null when it is outside the window. */
    public String splitOf(LocalDate day) {
        if (day.isBefore(trainFrom) || day.isAfter(logicalDate)) return null;
        if (day.isBefore(validationFrom)) return TRAIN;
        if (day.isBefore(holdoutFrom)) return VALIDATION;
        return HOLDOUT;
    }

    @Override
    public String toString() {
        return "train " + trainFrom + ".." + trainTo() + ", validation " + validationFrom + ".." + validationTo()
                + ", holdout " + holdoutFrom + ".." + holdoutTo();
    }
}
