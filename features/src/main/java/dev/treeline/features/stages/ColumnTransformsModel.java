package dev.treeline.features.stages;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/** Applies fitted {@link TransformPlan}s, replacing each column by its transformed value (double, or string for categories). */
public final class ColumnTransformsModel extends Model<ColumnTransformsModel> implements MLWritable {
    private final String uid;
    private final Param<String> plans;

    public ColumnTransformsModel(String uid) {
        this.uid = uid;
        this.plans = new Param<>(this, "plans", "JSON list of fitted transform plans");
    }

    public Param<String> plans() {
        return plans;
    }

    public ColumnTransformsModel setPlans(List<TransformPlan> list) {
        set(plans, TransformPlan.toJson(list));
        return this;
    }

    public List<TransformPlan> getPlans() {
        return TransformPlan.fromJson($(plans));
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema(), true);
        List<TransformPlan> list = getPlans();
        if (list.isEmpty()) return dataset.toDF();
        String[] names = list.stream().map(TransformPlan::column).toArray(String[]::new);
        Column[] values = list.stream().map(p -> p.apply(functions.col(p.column()))).toArray(Column[]::new);
        return dataset.toDF().withColumns(JavaConverters.asScalaBuffer(Arrays.asList(names)).toSeq(),
                JavaConverters.asScalaBuffer(Arrays.asList(values)).toSeq());
    }

    @Override
    public StructType transformSchema(StructType schema) {
        List<StructField> fields = new ArrayList<>(Arrays.asList(schema.fields()));
        List<String> names = Arrays.asList(schema.fieldNames());
        for (TransformPlan p : getPlans()) {
            int i = names.indexOf(p.column());
            if (i < 0) throw new IllegalArgumentException("feature column '" + p.column() + "' is missing; the input has " + names);
            fields.set(i, new StructField(p.column(), p.categorical() ? DataTypes.StringType : DataTypes.DoubleType, true, fields.get(i).metadata()));
        }
        return new StructType(fields.toArray(StructField[]::new));
    }

    @Override
    public ColumnTransformsModel copy(ParamMap extra) {
        return copyValues(new ColumnTransformsModel(uid).setPlans(getPlans()), extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new DefaultParamsWriter(this);
    }

    public static MLReader<ColumnTransformsModel> read() {
        return new DefaultParamsReader<>();
    }

    public static ColumnTransformsModel load(String path) {
        return read().load(path);
    }
}
