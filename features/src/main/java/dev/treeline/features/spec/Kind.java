package dev.treeline.features.spec;

import dev.treeline.pipelines.spec.ColumnType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/** The coarse type of a column as far as feature checks care; UNKNOWN when only Spark can tell. */
public enum Kind {
    NUMBER, STRING, BOOLEAN, TIMESTAMP, DATE, OTHER, UNKNOWN;

    public static Kind of(ColumnType t) {
        if (t == null) return UNKNOWN;
        if (t.isNumeric()) return NUMBER;
        return switch (t) {
            case STRING -> STRING;
            case BOOLEAN -> BOOLEAN;
            case TIMESTAMP -> TIMESTAMP;
            case DATE -> DATE;
            default -> OTHER;
        };
    }

    public static Kind of(DataType t) {
        if (t instanceof NumericType) return NUMBER;
        if (t instanceof StringType) return STRING;
        if (t instanceof BooleanType) return BOOLEAN;
        if (t instanceof TimestampType || t instanceof TimestampNTZType) return TIMESTAMP;
        if (t instanceof DateType) return DATE;
        return OTHER;
    }

    /** Numbers and booleans can be model inputs as they are. */
    public boolean numericLike() {
        return this == NUMBER || this == BOOLEAN;
    }

    public String spelling() {
        return name().toLowerCase();
    }
}
