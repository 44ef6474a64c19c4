package dev.treeline.features.stages;

import java.util.Arrays;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** A fitted {@link TargetEncoder}: per-category label sums and counts of the train rows, and the prior. */
public final class TargetEncoderModel extends Model<TargetEncoderModel> implements MLWritable {
    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> labelCol;
    private final DoubleParam smoothing;
    private final StringArrayParam categories;
    private final DoubleArrayParam sums;
    private final DoubleArrayParam counts;
    private final DoubleParam prior;

    public TargetEncoderModel(String uid) {
        this.uid = uid;
        this.inputCol = new Param<>(this, "inputCol", "category column");
        this.outputCol = new Param<>(this, "outputCol", "encoded (double) column");
        this.labelCol = new Param<>(this, "labelCol", "numeric label column");
        this.smoothing = new DoubleParam(this, "smoothing", "pseudo-count pulling rare categories to the prior");
        this.categories = new StringArrayParam(this, "categories", "categories seen on the train rows, sorted");
        this.sums = new DoubleArrayParam(this, "sums", "label sum per category");
        this.counts = new DoubleArrayParam(this, "counts", "labelled rows per category");
        this.prior = new DoubleParam(this, "prior", "mean label of the train rows");
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public DoubleParam smoothing() {
        return smoothing;
    }

    public StringArrayParam categories() {
        return categories;
    }

    public DoubleArrayParam sums() {
        return sums;
    }

    public DoubleArrayParam counts() {
        return counts;
    }

    public DoubleParam prior() {
        return prior;
    }

    TargetEncoderModel setStats(String[] cats, double[] s, double[] n, double p) {
        set(categories, cats);
        set(sums, s);
        set(counts, n);
        set(prior, p);
        return this;
    }

    public String getOutputCol() {
        return $(outputCol);
    }

    /** The encoding of a category (null for a missing one). */
    public double encode(String category) {
        int i = category == null ? -1 : Arrays.binarySearch($(categories), category);
        double m = num(smoothing);
        double p = num(prior);
        if (i < 0) return p;
        return ($(sums)[i] + p * m) / ($(counts)[i] + m);
    }

    @Override
    public String uid() {
        return uid;
    }

    // A DoubleParam is a Param<Object> to Java.
    private double num(DoubleParam p) {
        Object v = $(p);
        return ((Number) v).doubleValue();
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        String[] cats = $(categories);
        double[] enc = new double[cats.length];
        for (int i = 0; i < cats.length; i++) enc[i] = encode(cats[i]);
        Column lookup = functions.map_from_arrays(functions.lit(cats), functions.lit(enc));
        Column cat = functions.col($(inputCol)).cast(DataTypes.StringType);
        Column value = functions.coalesce(functions.element_at(lookup, cat), functions.lit(num(prior)));
        return dataset.toDF().withColumn($(outputCol), functions.when(cat.isNull(), functions.lit(num(prior))).otherwise(value));
    }

    /**
     * Encodes train rows out of fold and in time order: a row of day d gets the smoothed mean label of
     * its category over train rows of days before d, with the prior also taken from days before d. No row
     * ever sees its own label or a later day's. The first train day has nothing before it and gets missing.
     */
    public Transformer outOfFold(String dayCol) {
        TargetEncoderModel self = this;
        return new Transformer() {
            private final String id = Identifiable$.MODULE$.randomUID("targetEncoderOutOfFold");

            @Override
            public String uid() {
                return id;
            }

            @Override
            public Dataset<Row> transform(Dataset<?> dataset) {
                Dataset<Row> rows = dataset.toDF();
                Column cat = functions.col(self.$(self.inputCol)).cast(DataTypes.StringType);
                Column y = functions.col(self.$(self.labelCol)).cast(DataTypes.DoubleType);
                Dataset<Row> labelled = rows.filter(y.isNotNull());
                // Prior as of each day: all labelled train rows of earlier days (a single small window over days).
                WindowSpec earlierDays = Window.orderBy("__te_pd").rowsBetween(Window.unboundedPreceding(), -1);
                Dataset<Row> prior = labelled.groupBy(functions.col(dayCol).as("__te_pd"))
                        .agg(functions.sum(y).as("s"), functions.count(y).as("n"))
                        .select(functions.col("__te_pd"), functions.sum("s").over(earlierDays).as("__te_ps"),
                                functions.sum("n").over(earlierDays).as("__te_pn"));
                // Per category as of each day: its labelled rows of earlier days.
                WindowSpec earlierOfCat = Window.partitionBy("__te_c").orderBy("__te_cd").rowsBetween(Window.unboundedPreceding(), -1);
                Dataset<Row> stats = labelled.groupBy(cat.as("__te_c"), functions.col(dayCol).as("__te_cd"))
                        .agg(functions.sum(y).as("s"), functions.count(y).as("n"))
                        .select(functions.col("__te_c"), functions.col("__te_cd"), functions.sum("s").over(earlierOfCat).as("__te_s"),
                                functions.sum("n").over(earlierOfCat).as("__te_n"));
                double m = self.num(self.smoothing);
                Column p = functions.col("__te_ps").divide(functions.col("__te_pn"));
                Column value = functions.coalesce(functions.col("__te_s"), functions.lit(0.0)).plus(p.multiply(m))
                        .divide(functions.coalesce(functions.col("__te_n"), functions.lit(0L)).plus(m));
                Dataset<Row> joined = rows.withColumn("__te_row_cat", cat)
                        .join(functions.broadcast(prior), functions.col(dayCol).equalTo(functions.col("__te_pd")), "left")
                        .join(stats, functions.col("__te_row_cat").eqNullSafe(functions.col("__te_c"))
                                .and(functions.col(dayCol).equalTo(functions.col("__te_cd"))), "left");
                return joined.withColumn(self.$(self.outputCol), value)
                        .drop("__te_row_cat", "__te_pd", "__te_ps", "__te_pn", "__te_c", "__te_cd", "__te_s", "__te_n");
            }

            @Override
            public StructType transformSchema(StructType schema) {
                return schema.add(self.$(self.outputCol), DataTypes.DoubleType, true);
            }

            @Override
            public Transformer copy(ParamMap extra) {
                return this;
            }
        };
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return schema.add($(outputCol), DataTypes.DoubleType, true);
    }

    @Override
    public TargetEncoderModel copy(ParamMap extra) {
        TargetEncoderModel m = new TargetEncoderModel(uid).setStats($(categories), $(sums), $(counts), num(prior));
        return copyValues(m, extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new DefaultParamsWriter(this);
    }

    public static MLReader<TargetEncoderModel> read() {
        return new DefaultParamsReader<>();
    }

    public static TargetEncoderModel load(String path) {
        return read().load(path);
    }
}
