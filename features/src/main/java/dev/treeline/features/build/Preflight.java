package dev.treeline.features.build;

import dev.treeline.features.spec.AggregateGroup;
import dev.treeline.features.spec.AsOfJoin;
import dev.treeline.features.spec.FeatureSpec;
import dev.treeline.features.spec.Kind;
import dev.treeline.features.spec.RowPrep;
import dev.treeline.pipelines.spec.SpecNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Checks a feature spec against the real schema of its input before any Spark job: Spark analyses the
 * derived expressions and aggregate inputs on an empty frame (no data read), so type errors are reported
 * with the spec's file, line and key rather than as a failed job.
 */
public final class Preflight {
    private Preflight() {}

    public static void check(SparkSession spark, FeatureSpec spec, String dataset, StructType schema,
                             Map<String, StructType> joinSchemas) {
        Map<String, Kind> input = new LinkedHashMap<>();
        for (StructField f : schema.fields()) input.put(f.name(), Kind.of(f.dataType()));
        // Names first (a clear "unknown column" beats Spark's analysis error), then types.
        spec.check(dataset, input, Map.of());
        Dataset<Row> empty = spark.createDataFrame(List.of(), schema);
        Map<String, Kind> derived = new LinkedHashMap<>();
        Dataset<Row> prepared = empty;
        if (!spec.pii().isEmpty()) prepared = RowPrep.guard(spec).transform(prepared);
        for (var d : spec.derived().entrySet()) {
            SpecNode at = spec.at("derived").asMap().get(d.getKey());
            prepared = analyse(at, prepared, d.getKey(), d.getValue());
            derived.put(d.getKey(), Kind.of(prepared.schema().apply(d.getKey()).dataType()));
        }
        if (spec.weight() != null) analyse(spec.at("weight"), prepared, "__weight", spec.weight());
        for (int i = 0; i < spec.aggregates().size(); i++) {
            AggregateGroup g = spec.aggregates().get(i);
            for (AggregateGroup.Value v : g.values()) {
                if (v.of() == null) continue;
                SpecNode at = spec.at("aggregates").asList().get(i).require("values").asMap().get(v.name()).require("of");
                Dataset<Row> one = analyse(at, prepared, "__of", v.of());
                Kind k = Kind.of(one.schema().apply("__of").dataType());
                derived.put("aggregate:" + g.name() + "." + v.name(), k);
                for (int w : g.windows()) derived.put(g.column(v, w), k);
            }
        }
        for (int i = 0; i < spec.joins().size(); i++) {
            AsOfJoin j = spec.joins().get(i);
            StructType js = joinSchemas.get(j.dataset());
            if (js == null) continue;
            SpecNode at = spec.at("joins").asList().get(i);
            List<String> names = List.of(js.fieldNames());
            for (String c : j.columns()) {
                if (!names.contains(c)) throw at.require("columns").error("dataset '" + j.dataset() + "' has no column '" + c + "'; it has " + names);
                derived.put(j.column(c), Kind.of(js.apply(c).dataType()));
            }
            for (String c : j.keys().values()) if (!names.contains(c)) throw at.require("keys").error("dataset '" + j.dataset() + "' has no column '" + c + "'; it has " + names);
            if (!names.contains(j.time())) throw at.require("time").error("dataset '" + j.dataset() + "' has no column '" + j.time() + "'; it has " + names);
        }
        spec.check(dataset, input, derived);
    }

    private static Dataset<Row> analyse(SpecNode at, Dataset<Row> frame, String name, String expression) {
        try {
            return frame.withColumn(name, functions.expr(expression));
        } catch (Exception e) {
            // AnalysisException is checked in Java's eyes but undeclared in Scala.
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            int nl = m.indexOf('\n');
            throw at.error("Spark cannot evaluate '" + expression + "': " + (nl < 0 ? m : m.substring(0, nl)));
        }
    }
}
