package dev.treeline.features.stages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.treeline.features.spec.Transform;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * Fits per-column transform chains (impute, clip, log, scale, bucketize) on the train rows. Each fitted
 * statistic is computed on the column as transformed by the steps before it, one Spark job per depth
 * of the chains. The model rewrites the columns in place.
 */
public final class ColumnTransforms extends Estimator<ColumnTransformsModel> implements MLWritable {
    /** What to fit for one column. */
    public record Chain(@JsonProperty("column") String column, @JsonProperty("categorical") boolean categorical,
                        @JsonProperty("transforms") List<Transform> transforms) {}

    private final String uid;
    private final Param<String> chains;

    public ColumnTransforms() {
        this(Identifiable$.MODULE$.randomUID("columnTransforms"));
    }

    public ColumnTransforms(String uid) {
        this.uid = uid;
        this.chains = new Param<>(this, "chains", "JSON list of {column, categorical, transforms}");
    }

    public Param<String> chains() {
        return chains;
    }

    public ColumnTransforms setChains(List<Chain> list) {
        try {
            set(chains, Json.MAPPER.writeValueAsString(list));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public List<Chain> getChains() {
        try {
            return Json.MAPPER.readValue($(chains), new TypeReference<List<Chain>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public ColumnTransformsModel fit(Dataset<?> dataset) {
        List<Chain> list = getChains();
        List<List<TransformPlan.Fitted>> fitted = new ArrayList<>();
        for (Chain c : list) fitted.add(new ArrayList<>());
        int depth = list.stream().mapToInt(c -> c.transforms().size()).max().orElse(0);
        for (int k = 0; k < depth; k++) {
            // Statistics for step k of every chain, over the values after steps 0..k-1 (already fitted).
            List<Column> aggs = new ArrayList<>();
            List<int[]> where = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                Chain c = list.get(i);
                if (k >= c.transforms().size()) continue;
                Transform t = c.transforms().get(k);
                Column x = new TransformPlan(c.column(), c.categorical(), fitted.get(i)).apply(functions.col(c.column()));
                if (t.op() == Transform.Op.impute && t.strategy().equals("mean")) {
                    aggs.add(functions.avg(x));
                    where.add(new int[] {i, 0});
                } else if (t.op() == Transform.Op.impute && t.strategy().equals("median")) {
                    aggs.add(functions.percentile_approx(x, functions.lit(0.5), functions.lit(10000)));
                    where.add(new int[] {i, 0});
                } else if (t.op() == Transform.Op.scale && t.strategy().equals("standard")) {
                    aggs.add(functions.avg(x));
                    aggs.add(functions.stddev_pop(x));
                    where.add(new int[] {i, 0});
                    where.add(new int[] {i, 1});
                } else if (t.op() == Transform.Op.scale) {
                    aggs.add(functions.min(x));
                    aggs.add(functions.max(x));
                    where.add(new int[] {i, 0});
                    where.add(new int[] {i, 1});
                }
            }
            Row stats = aggs.isEmpty() ? null
                    : dataset.toDF().agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
            for (int i = 0; i < list.size(); i++) {
                Chain c = list.get(i);
                if (k >= c.transforms().size()) continue;
                Transform t = c.transforms().get(k);
                Double a = stat(stats, where, i, 0);
                Double b = stat(stats, where, i, 1);
                TransformPlan.Fitted f = switch (t.op()) {
                    case impute -> switch (t.strategy()) {
                        case "constant" -> c.categorical() ? text(t.op(), t.constant()) : value(t.op(), Double.parseDouble(t.constant()));
                        case "most_frequent" -> mostFrequent(dataset, c, fitted.get(i), t.op());
                        default -> value(t.op(), a);
                    };
                    case clip -> new TransformPlan.Fitted(t.op(), null, null, t.min(), t.max(), null, null, null);
                    case log -> new TransformPlan.Fitted(t.op(), null, null, null, null, null, null, null);
                    case scale -> t.strategy().equals("standard")
                            ? scale(t.op(), a == null ? 0 : a, b == null || b == 0 ? 1 : b)
                            : scale(t.op(), a == null ? 0 : a, a == null || b == null || b.equals(a) ? 1 : b - a);
                    case bucketize -> new TransformPlan.Fitted(t.op(), null, null, null, null, null, null, t.splits());
                };
                fitted.get(i).add(f);
            }
        }
        List<TransformPlan> plans = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) plans.add(new TransformPlan(list.get(i).column(), list.get(i).categorical(), List.copyOf(fitted.get(i))));
        return copyValues(new ColumnTransformsModel(uid).setPlans(plans), ParamMap.empty()).setParent(this);
    }

    private static Double stat(Row stats, List<int[]> where, int chain, int which) {
        for (int j = 0; j < where.size(); j++) {
            if (where.get(j)[0] == chain && where.get(j)[1] == which) {
                Object v = stats.get(j);
                return v == null ? null : ((Number) v).doubleValue();
            }
        }
        return null;
    }

    private static TransformPlan.Fitted mostFrequent(Dataset<?> data, Chain c, List<TransformPlan.Fitted> before, Transform.Op op) {
        Column x = new TransformPlan(c.column(), c.categorical(), before).apply(functions.col(c.column())).as("v");
        // Ties go to the smallest value, so the same rows always give the same answer.
        Row top = data.toDF().select(x).filter(functions.col("v").isNotNull()).groupBy("v").count()
                .orderBy(functions.col("count").desc(), functions.col("v").asc()).limit(1).collectAsList().stream().findFirst().orElse(null);
        if (top == null) return c.categorical() ? text(op, null) : value(op, null);
        return c.categorical() ? text(op, top.get(0).toString()) : value(op, ((Number) top.get(0)).doubleValue());
    }

    private static TransformPlan.Fitted value(Transform.Op op, Double v) {
        return new TransformPlan.Fitted(op, v, null, null, null, null, null, null);
    }

    private static TransformPlan.Fitted text(Transform.Op op, String v) {
        return new TransformPlan.Fitted(op, null, v, null, null, null, null, null);
    }

    private static TransformPlan.Fitted scale(Transform.Op op, double offset, double scale) {
        return new TransformPlan.Fitted(op, null, null, null, null, offset, scale, null);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return new ColumnTransformsModel(uid).setPlans(getChains().stream()
                .map(c -> new TransformPlan(c.column(), c.categorical(), List.of())).toList()).transformSchema(schema);
    }

    @Override
    public ColumnTransforms copy(ParamMap extra) {
        return (ColumnTransforms) defaultCopy(extra);
    }

    @Override
    public MLWriter write() {
        return new DefaultParamsWriter(this);
    }

    public static MLReader<ColumnTransforms> read() {
        return new DefaultParamsReader<>();
    }

    public static ColumnTransforms load(String path) {
        return read().load(path);
    }
}
