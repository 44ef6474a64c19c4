package dev.treeline.pipelines.format;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Holdout metrics for one value of a segment column (the evaluation's slices). Binary models: rows,
 * positive rate, log loss and AUC (over 1,000 score bins, within about 0.001 of the exact value).
 * Regression: rows, mean label, RMSE, MAE. Multiclass: rows, accuracy, multiclass log loss. Metrics of
 * another task are absent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SliceMetrics(
        @JsonProperty("value") String value,
        @JsonProperty("rows") long rows,
        @JsonProperty("positive_rate") Double positiveRate,
        @JsonProperty("auc") Double auc,
        @JsonProperty("logloss") Double logloss,
        @JsonProperty("mean_label") Double meanLabel,
        @JsonProperty("rmse") Double rmse,
        @JsonProperty("mae") Double mae,
        @JsonProperty("accuracy") Double accuracy,
        @JsonProperty("mlogloss") Double mlogloss) {

    public static SliceMetrics binary(String value, long rows, double positiveRate, double auc, double logloss) {
        return new SliceMetrics(value, rows, positiveRate, auc, logloss, null, null, null, null, null);
    }
}
