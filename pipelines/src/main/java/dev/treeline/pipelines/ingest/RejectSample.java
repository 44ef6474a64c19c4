package dev.treeline.pipelines.ingest;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.util.AccumulatorV2;

/**
 * Keeps the rejected rows of the pass that writes the accepted rows, up to a limit, so that quarantining
 * them costs no second read of the source when they are few (parsing is most of an ingest's time); past
 * the limit the caller reads them again. An accumulator, fed by a function evaluated only for rejected
 * rows inside the pass's observed metrics. A retried task can add its rows twice, so a caller uses the
 * kept rows only when their count equals the pass's own count of rejects ({@link #complete}).
 */
final class RejectSample extends AccumulatorV2<Row, RejectSample.Rows> {
    /** At most this many values (rows times columns) are kept on the driver (a test lowers it to exercise the second pass). */
    static volatile long maxValues = 2_000_000;

    private final int limit;
    private Rows rows = new Rows();

    /** Rows seen and the first {@code limit} of them. */
    static final class Rows implements Serializable {
        long count;
        final ArrayList<Row> kept = new ArrayList<>();
    }

    RejectSample(int columns) {
        this((int) Math.max(1, Math.min(100_000, maxValues / Math.max(1, columns))), null);
    }

    private RejectSample(int limit, Rows rows) {
        this.limit = limit;
        if (rows != null) this.rows = rows;
    }

    /** Registers this accumulator and returns the column to count in the observed metrics: 1 per rejected row, which it keeps. */
    Column keep(SparkSession spark, Column rejected, Column rejectedRow) {
        spark.sparkContext().register(this, "treeline-rejected-rows");
        RejectSample acc = this;
        UDF1<Row, Boolean> keep = r -> {
            acc.add(r);
            return true;
        };
        return functions.when(rejected, functions.udf(keep, DataTypes.BooleanType).apply(rejectedRow));
    }

    /** Whether the kept rows are every rejected row of the pass: all fitted, and none was counted twice. */
    boolean complete(long rejected) {
        return rows.count == rejected && rows.kept.size() == rejected;
    }

    List<Row> rows() {
        return rows.kept;
    }

    @Override
    public boolean isZero() {
        return rows.count == 0;
    }

    @Override
    public AccumulatorV2<Row, Rows> copy() {
        Rows r = new Rows();
        r.count = rows.count;
        r.kept.addAll(rows.kept);
        return new RejectSample(limit, r);
    }

    @Override
    public void reset() {
        rows = new Rows();
    }

    @Override
    public void add(Row row) {
        rows.count++;
        if (rows.kept.size() < limit) rows.kept.add(row);
    }

    @Override
    public void merge(AccumulatorV2<Row, Rows> other) {
        Rows o = other.value();
        rows.count += o.count;
        for (Row r : o.kept) {
            if (rows.kept.size() >= limit) break;
            rows.kept.add(r);
        }
    }

    @Override
    public Rows value() {
        return rows;
    }
}
