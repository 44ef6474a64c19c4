package dev.treeline.scoring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;

/**
 * Splits rows to score into those the model can read and rejects with a reason: a required column missing
 * (every row), or a value that does not convert to the type the model was trained on (that row). Accepted
 * rows carry every required column in its trained type.
 */
public final class InputCheck {
    public static final String REASON = "reject_reason";

    public record Checked(Dataset<Row> accepted, Dataset<Row> rejected, List<String> missing) {}

    private InputCheck() {}

    /** {@code required}: each input column the model reads and its trained type (null when unknown: presence only). */
    public static Checked check(Dataset<Row> raw, Map<String, DataType> required) {
        Map<String, DataType> have = new LinkedHashMap<>();
        for (StructField f : raw.schema().fields()) have.put(f.name(), f.dataType());
        List<String> missing = new ArrayList<>();
        for (String c : required.keySet()) if (!have.containsKey(c)) missing.add(c);
        if (!missing.isEmpty()) {
            String reason = "missing required column" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing.stream().map(m -> "'" + m + "'").toList());
            return new Checked(null, raw.withColumn(REASON, functions.lit(reason)), missing);
        }
        List<Column> problems = new ArrayList<>();
        Dataset<Row> converted = raw;
        for (Map.Entry<String, DataType> e : required.entrySet()) {
            DataType want = e.getValue();
            if (want == null || want.equals(have.get(e.getKey()))) continue;
            Column original = functions.col("`" + e.getKey() + "`");
            Column cast = original.cast(want);
            problems.add(functions.when(original.isNotNull().and(cast.isNull()), functions.concat(functions.lit("column '" + e.getKey() + "': value '"),
                    original.cast("string"), functions.lit("' is not " + want.simpleString()))));
        }
        if (problems.isEmpty()) return new Checked(raw, null, List.of());
        Dataset<Row> marked = raw.withColumn(REASON, functions.coalesce(problems.toArray(Column[]::new)));
        Dataset<Row> accepted = marked.filter(functions.col(REASON).isNull()).drop(REASON);
        for (Map.Entry<String, DataType> e : required.entrySet()) {
            if (e.getValue() != null && !e.getValue().equals(have.get(e.getKey()))) {
                accepted = accepted.withColumn(e.getKey(), functions.col("`" + e.getKey() + "`").cast(e.getValue()));
            }
        }
        return new Checked(accepted, marked.filter(functions.col(REASON).isNotNull()), List.of());
    }
}
