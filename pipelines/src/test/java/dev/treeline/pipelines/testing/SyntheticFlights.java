package dev.treeline.pipelines.testing;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Flights-shaped test data with a learnable signal: late departures, busy hubs and long routes are
 * delayed more often. Same columns and types as the real file (date is a timestamp without zone).
 */
public final class SyntheticFlights {
    public static final StructType SCHEMA = new StructType()
            .add("date", DataTypes.TimestampNTZType)
            .add("delay", DataTypes.LongType)
            .add("distance", DataTypes.LongType)
            .add("origin", DataTypes.StringType)
            .add("destination", DataTypes.StringType);

    static final String[] AIRPORTS = {"ATL", "ORD", "DFW", "LAX", "DEN", "SFO", "PHX", "LAS", "SEA", "BOS"};

    private SyntheticFlights() {}

    public static List<Row> rows(LocalDate from, int days, int perDay, long seed) {
        Random r = new Random(seed);
        List<Row> out = new ArrayList<>(days * perDay);
        for (int d = 0; d < days; d++) {
            LocalDate day = from.plusDays(d);
            for (int i = 0; i < perDay; i++) {
                int o = r.nextInt(AIRPORTS.length);
                int t = (o + 1 + r.nextInt(AIRPORTS.length - 1)) % AIRPORTS.length;
                int minute = 300 + r.nextInt(1100);
                long distance = 100 + 150L * Math.abs(o - t) + r.nextInt(50);
                double risk = -4.0 + 4.0 * (minute / 1440.0) + (o < 3 ? 1.5 : 0.0) + distance / 800.0 + 0.5 * (day.getDayOfWeek().getValue() == 5 ? 1 : 0);
                boolean late = r.nextDouble() < 1.0 / (1.0 + Math.exp(-risk));
                long delay = late ? 16 + r.nextInt(120) : -10 + r.nextInt(25);
                out.add(RowFactory.create(LocalDateTime.of(day, java.time.LocalTime.of(minute / 60, minute % 60)), delay, distance,
                        AIRPORTS[o], AIRPORTS[t]));
            }
        }
        return out;
    }

    public static Dataset<Row> frame(SparkSession spark, LocalDate from, int days, int perDay, long seed) {
        return spark.createDataFrame(rows(from, days, perDay, seed), SCHEMA);
    }

    /** Writes one Parquet directory and returns it. */
    public static Path write(SparkSession spark, Path dir, LocalDate from, int days, int perDay, long seed) {
        frame(spark, from, days, perDay, seed).coalesce(1).write().mode(SaveMode.Overwrite).parquet(dir.toString());
        return dir;
    }
}
