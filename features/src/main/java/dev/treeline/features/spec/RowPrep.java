package dev.treeline.features.spec;

import dev.treeline.features.stages.PiiGuard;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The row-level part of a feature spec outside the fitted pipeline: PII rules, then derived columns in
 * the order written (each may use the ones before it). Aggregates and as-of joins read rows prepared
 * this way, so their keys are guarded exactly as the pipeline guards them.
 */
public final class RowPrep {
    private RowPrep() {}

    public static PiiGuard guard(FeatureSpec spec) {
        return PiiGuard.of(spec.pii().values());
    }

    public static Dataset<Row> prepare(Dataset<Row> rows, FeatureSpec spec) {
        Dataset<Row> out = spec.pii().isEmpty() ? rows : guard(spec).transform(rows);
        for (Map.Entry<String, String> d : spec.derived().entrySet()) out = out.withColumn(d.getKey(), functions.expr(d.getValue()));
        return out;
    }

    /**
     * The SQL of the derived columns the vector needs as one SQLTransformer statement (nested, so later
     * ones see earlier ones). Columns only aggregates or the label use stay out: serving need not send their inputs.
     */
    public static String derivedSql(FeatureSpec spec) {
        Map<String, String> needed = spec.derivedForVector();
        if (needed.isEmpty()) return null;
        String sql = "__THIS__";
        int level = 0;
        for (Map.Entry<String, String> d : needed.entrySet()) {
            sql = "(SELECT *, (" + d.getValue() + ") AS `" + d.getKey() + "` FROM " + sql + ") AS t" + level++;
        }
        return "SELECT * FROM " + sql;
    }
}
