package dev.treeline.pipelines.spec;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** The column types schemas and contracts can name, and how each maps to Spark. */
public enum ColumnType {
    STRING("string", DataTypes.StringType),
    LONG("long", DataTypes.LongType),
    INT("int", DataTypes.IntegerType),
    DOUBLE("double", DataTypes.DoubleType),
    FLOAT("float", DataTypes.FloatType),
    BOOLEAN("boolean", DataTypes.BooleanType),
    TIMESTAMP("timestamp", DataTypes.TimestampNTZType),
    DATE("date", DataTypes.DateType);

    private final String spelling;
    private final DataType spark;

    ColumnType(String spelling, DataType spark) {
        this.spelling = spelling;
        this.spark = spark;
    }

    public String spelling() {
        return spelling;
    }

    /** The Spark type values of this column have once read (timestamps have no zone). */
    public DataType spark() {
        return spark;
    }

    public boolean isNumeric() {
        return this == LONG || this == INT || this == DOUBLE || this == FLOAT;
    }

    public static List<String> spellings() {
        return Arrays.stream(values()).map(ColumnType::spelling).toList();
    }

    public static ColumnType of(SpecNode node) {
        String s = node.asEnum(spellings());
        return Arrays.stream(values()).filter(t -> t.spelling.equals(s)).findFirst().orElseThrow();
    }

    /** Whether a column Spark reports as {@code actual} holds this type without conversion. */
    public boolean matches(DataType actual) {
        if (this == TIMESTAMP) return actual.equals(DataTypes.TimestampType) || actual.equals(DataTypes.TimestampNTZType);
        return actual.equals(spark);
    }
}
