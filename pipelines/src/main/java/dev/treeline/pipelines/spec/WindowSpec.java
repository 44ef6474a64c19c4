package dev.treeline.pipelines.spec;

import java.time.LocalDate;

/**
 * How a logical date splits history: the last {@code holdoutDays} days up to the logical date are the
 * holdout, the {@code validationDays} before them validate early stopping, and the {@code trainDays}
 * before those train.
 */
public record WindowSpec(int trainDays, int validationDays, int holdoutDays) {
    public static final WindowSpec DEFAULT = new WindowSpec(120, 7, 1);

    static WindowSpec from(SpecNode node) {
        if (node == null) return DEFAULT;
        node.allowOnly("train_days", "validation_days", "holdout_days");
        return new WindowSpec(
                node.integer("train_days", DEFAULT.trainDays, 1, 3650),
                node.integer("validation_days", DEFAULT.validationDays, 1, 365),
                node.integer("holdout_days", DEFAULT.holdoutDays, 1, 365));
    }

    public DateWindow at(LocalDate logicalDate) {
        LocalDate holdoutFrom = logicalDate.minusDays(holdoutDays - 1L);
        LocalDate validationFrom = holdoutFrom.minusDays(validationDays);
        LocalDate trainFrom = validationFrom.minusDays(trainDays);
        return new DateWindow(trainFrom, validationFrom, holdoutFrom, logicalDate);
    }
}
