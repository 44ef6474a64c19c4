package dev.treeline.features.stages;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.treeline.features.spec.Transform;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * A column's transform chain with fitted constants filled in: what {@link ColumnTransformsModel} applies
 * and persists (as JSON in a param, so the saved stage reads without Spark-side data files).
 */
public record TransformPlan(
        @JsonProperty("column") String column,
        @JsonProperty("categorical") boolean categorical,
        @JsonProperty("steps") List<Fitted> steps) {

    /** One step with its constants: impute value, clip bounds, scale offset and divisor, bucket splits. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Fitted(
            @JsonProperty("op") Transform.Op op,
            @JsonProperty("value") Double value,
            @JsonProperty("text") String text,
            @JsonProperty("min") Double min,
            @JsonProperty("max") Double max,
            @JsonProperty("offset") Double offset,
            @JsonProperty("scale") Double scale,
            @JsonProperty("splits") List<Double> splits) {}

    /** The column's value after the first {@code n} steps. */
    public Column apply(Column raw, int n) {
        Column x = raw.cast(categorical ? DataTypes.StringType : DataTypes.DoubleType);
        // NaN becomes null first: every step then treats one kind of missing (NaN would also sort above every bound).
        if (!categorical) x = functions.when(functions.isnan(x), functions.lit(null).cast(DataTypes.DoubleType)).otherwise(x);
        for (int i = 0; i < n; i++) x = step(steps.get(i), x);
        return x;
    }

    public Column apply(Column raw) {
        return apply(raw, steps.size());
    }

    private Column step(Fitted s, Column x) {
        return switch (s.op()) {
            case impute -> {
                if (categorical) yield functions.coalesce(x, functions.lit(s.text()));
                // An impute with no statistic (all missing on the train days) leaves the value missing.
                yield s.value() == null ? x : functions.coalesce(x, functions.lit(s.value()));
            }
            case clip -> {
                Column c = x;
                if (s.min() != null) c = functions.when(c.lt(s.min()), functions.lit(s.min())).otherwise(c);
                if (s.max() != null) c = functions.when(c.gt(s.max()), functions.lit(s.max())).otherwise(c);
                yield c;
            }
            // log(1 + x); undefined at or below -1, which becomes missing.
            case log -> functions.when(x.gt(-1.0), functions.log1p(x)).otherwise(functions.lit(null).cast(DataTypes.DoubleType));
            case scale -> x.minus(s.offset()).divide(s.scale());
            case bucketize -> {
                List<Double> sp = s.splits();
                Column c = functions.lit((double) sp.size());
                for (int i = sp.size() - 1; i >= 0; i--) c = functions.when(x.lt(sp.get(i)), functions.lit((double) i)).otherwise(c);
                yield functions.when(x.isNull(), functions.lit(null).cast(DataTypes.DoubleType)).otherwise(c);
            }
        };
    }

    static String toJson(List<TransformPlan> plans) {
        try {
            return Json.MAPPER.writeValueAsString(plans);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<TransformPlan> fromJson(String json) {
        try {
            return Json.MAPPER.readValue(json, new TypeReference<List<TransformPlan>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
