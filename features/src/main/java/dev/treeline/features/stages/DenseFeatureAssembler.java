package dev.treeline.features.stages;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.VectorUDT;
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
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Assembles numeric columns (and vectors, such as one-hot encodings) into a dense vector, a null
 * becoming NaN (XGBoost's "missing").
 * Spark's VectorAssembler emits sparse vectors whose absent zeros XGBoost reads as missing values,
 * which silently changes the model; a dense vector keeps 0 as 0.
 */
public final class DenseFeatureAssembler extends Transformer implements MLWritable {
    private final String uid;
    private final StringArrayParam inputCols;
    private final Param<String> outputCol;

    public DenseFeatureAssembler() {
        this(Identifiable$.MODULE$.randomUID("denseFeatureAssembler"));
    }

    public DenseFeatureAssembler(String uid) {
        this.uid = uid;
        this.inputCols = new StringArrayParam(this, "inputCols", "numeric input columns, in feature order");
        this.outputCol = new Param<>(this, "outputCol", "name of the dense vector column");
        setDefault(outputCol, "features");
    }

    public StringArrayParam inputCols() {
        return inputCols;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public DenseFeatureAssembler setInputCols(String... cols) {
        set(inputCols, cols);
        return this;
    }

    public DenseFeatureAssembler setOutputCol(String col) {
        set(outputCol, col);
        return this;
    }

    public String[] getInputCols() {
        return $(inputCols);
    }

    public String getOutputCol() {
        return $(outputCol);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema(), true);
        // Numbers become one-element arrays, vectors (one-hot) their values; concatenated in input order.
        Column[] parts = Arrays.stream(getInputCols())
                .map(c -> dataset.schema().apply(c).dataType() instanceof VectorUDT
                        ? org.apache.spark.ml.functions.vector_to_array(functions.col(c), "float64")
                        : functions.array(functions.coalesce(functions.col(c).cast("double"), functions.lit(Double.NaN))))
                .toArray(Column[]::new);
        Column all = parts.length == 1 ? parts[0] : functions.concat(parts);
        return dataset.withColumn(getOutputCol(), org.apache.spark.ml.functions.array_to_vector(all));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(inputCols) || getInputCols().length == 0) {
            throw new IllegalArgumentException(uid + ": inputCols must name at least one column");
        }
        List<String> names = Arrays.asList(schema.fieldNames());
        for (String c : getInputCols()) {
            if (!names.contains(c)) throw new IllegalArgumentException("feature column '" + c + "' is missing; the input has " + names);
            DataType t = schema.apply(c).dataType();
            if (!(t instanceof NumericType || t instanceof BooleanType || t instanceof VectorUDT)) {
                throw new IllegalArgumentException("feature column '" + c + "' must be numeric, boolean or a vector, but is " + t.simpleString());
            }
        }
        if (names.contains(getOutputCol())) throw new IllegalArgumentException("output column '" + getOutputCol() + "' already exists");
        List<StructField> fields = new ArrayList<>(Arrays.asList(schema.fields()));
        fields.add(new StructField(getOutputCol(), SQLDataTypes.VectorType(), false, Metadata.empty()));
        return new StructType(fields.toArray(StructField[]::new));
    }

    @Override
    public DenseFeatureAssembler copy(ParamMap extra) {
        return (DenseFeatureAssembler) defaultCopy(extra);
    }

    @Override
    public MLWriter write() {
        return new DefaultParamsWriter(this);
    }

    public static MLReader<DenseFeatureAssembler> read() {
        return new DefaultParamsReader<>();
    }

    public static DenseFeatureAssembler load(String path) {
        return read().load(path);
    }
}
