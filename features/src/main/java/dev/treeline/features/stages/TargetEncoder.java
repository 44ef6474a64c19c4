package dev.treeline.features.stages;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Target encoding: a category becomes the smoothed mean label of its train rows,
 * {@code (sum + prior * m) / (count + m)}, where {@code prior} is the mean label of all train rows and
 * {@code m} the smoothing. The fitted model encodes rows it did not learn from (validation, holdout,
 * serving); unseen and missing categories get the prior. The train rows themselves must be encoded
 * out of fold — see {@link TargetEncoderModel#outOfFold}.
 */
public final class TargetEncoder extends Estimator<TargetEncoderModel> implements MLWritable {
    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> labelCol;
    private final DoubleParam smoothing;

    public TargetEncoder() {
        this(Identifiable$.MODULE$.randomUID("targetEncoder"));
    }

    public TargetEncoder(String uid) {
        this.uid = uid;
        this.inputCol = new Param<>(this, "inputCol", "category column");
        this.outputCol = new Param<>(this, "outputCol", "encoded (double) column");
        this.labelCol = new Param<>(this, "labelCol", "numeric label column");
        this.smoothing = new DoubleParam(this, "smoothing", "pseudo-count pulling rare categories to the prior");
        setDefault(smoothing, 20.0);
        setDefault(labelCol, "label");
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

    public TargetEncoder setInputCol(String v) {
        set(inputCol, v);
        return this;
    }

    public TargetEncoder setOutputCol(String v) {
        set(outputCol, v);
        return this;
    }

    public TargetEncoder setLabelCol(String v) {
        set(labelCol, v);
        return this;
    }

    public TargetEncoder setSmoothing(double v) {
        set(smoothing, v);
        return this;
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public TargetEncoderModel fit(Dataset<?> dataset) {
        Column cat = functions.col($(inputCol)).cast(DataTypes.StringType);
        Column y = functions.col($(labelCol)).cast(DataTypes.DoubleType);
        Dataset<Row> labelled = dataset.toDF().filter(y.isNotNull());
        Row total = labelled.agg(functions.sum(y), functions.count(y)).first();
        double prior = total.getLong(1) == 0 ? Double.NaN : total.getDouble(0) / total.getLong(1);
        List<String> cats = new ArrayList<>();
        List<Double> sums = new ArrayList<>();
        List<Double> counts = new ArrayList<>();
        // Sorted so the same train rows always persist the same model.
        for (Row r : labelled.filter(cat.isNotNull()).groupBy(cat.as("c")).agg(functions.sum(y), functions.count(y))
                .orderBy("c").collectAsList()) {
            cats.add(r.getString(0));
            sums.add(r.getDouble(1));
            counts.add((double) r.getLong(2));
        }
        TargetEncoderModel m = new TargetEncoderModel(uid).setStats(cats.toArray(String[]::new),
                sums.stream().mapToDouble(Double::doubleValue).toArray(), counts.stream().mapToDouble(Double::doubleValue).toArray(), prior);
        return copyValues(m, ParamMap.empty()).setParent(this);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return schema.add($(outputCol), DataTypes.DoubleType, true);
    }

    @Override
    public TargetEncoder copy(ParamMap extra) {
        return (TargetEncoder) defaultCopy(extra);
    }

    @Override
    public MLWriter write() {
        return new DefaultParamsWriter(this);
    }

    public static MLReader<TargetEncoder> read() {
        return new DefaultParamsReader<>();
    }

    public static TargetEncoder load(String path) {
        return read().load(path);
    }
}
