package dev.treeline.features.validate;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/** What validation found: row accounting, each rule's outcome, drift, and column statistics of the logical date. */
public final class ValidationReport {
    @JsonProperty public String dataset;
    @JsonProperty("logical_date") public String logicalDate;
    @JsonProperty public Outcome status = Outcome.PASS;
    @JsonProperty("days_checked") public List<String> daysChecked = new ArrayList<>();
    @JsonProperty("rows_in") public long rowsIn;
    @JsonProperty("rows_accepted") public long rowsAccepted;
    @JsonProperty("rows_rejected") public long rowsRejected;
    @JsonProperty("row_rules") public List<RuleOutcome> rowRules = new ArrayList<>();
    @JsonProperty("dataset_rules") public List<RuleOutcome> datasetRules = new ArrayList<>();
    @JsonProperty public List<DriftOutcome> drift = new ArrayList<>();
    @JsonProperty("drift_baseline") public String driftBaseline;
    @JsonProperty public List<ColumnStats> columns = new ArrayList<>();

    /** A rule's outcome: {@code status} is pass, warn or fail. */
    public record RuleOutcome(@JsonProperty("rule") String rule, @JsonProperty("column") String column,
                              @JsonProperty("severity") String severity, @JsonProperty("day") String day,
                              @JsonProperty("observed") String observed, @JsonProperty("threshold") String threshold,
                              @JsonProperty("status") Outcome status, @JsonProperty("message") String message) {}

    public record DriftOutcome(@JsonProperty("column") String column, @JsonProperty("kind") String kind,
                               @JsonProperty("psi") Double psi, @JsonProperty("new_category_rate") Double newCategoryRate,
                               @JsonProperty("status") Outcome status, @JsonProperty("message") String message) {}

    public record ColumnStats(@JsonProperty("name") String name, @JsonProperty("type") String type, @JsonProperty("rows") long rows,
                              @JsonProperty("nulls") long nulls, @JsonProperty("null_ratio") double nullRatio,
                              @JsonProperty("min") String min, @JsonProperty("max") String max, @JsonProperty("mean") Double mean,
                              @JsonProperty("distinct") Long distinct) {}

    void worsen(Outcome outcome) {
        status = outcome.worsen(status);
    }

    public List<RuleOutcome> failures() {
        List<RuleOutcome> out = new ArrayList<>();
        datasetRules.stream().filter(r -> r.status() == Outcome.FAIL).forEach(out::add);
        return out;
    }
}
