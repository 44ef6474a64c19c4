package dev.treeline.features.build;

import dev.treeline.features.spec.FeatureColumn;
import dev.treeline.features.spec.FeatureSpec;
import dev.treeline.features.spec.RowPrep;
import dev.treeline.features.stages.ColumnTransforms;
import dev.treeline.features.stages.DenseFeatureAssembler;
import dev.treeline.features.stages.TargetEncoder;
import dev.treeline.features.stages.TargetEncoderModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;

/**
 * Turns a {@link FeatureSpec} into an unfitted Spark ML pipeline of persistable stages:
 * PII guard → derived columns and calendar features (SQL) → per-column transforms → string indexers
 * (frequency order; unseen and missing values share one extra index) → one-hot and target encoders →
 * dense vector.
 */
public final class FeaturePipelineFactory {
    public static final String FEATURES = "features";
    public static final String LABEL = "label";
    /** The feature spec's {@code weight:} per row, in feature rows of a weighted spec. */
    public static final String WEIGHT = "weight";
    /** The feature snapshot's cross-validation fold of a non-holdout row, when the pipeline's split has folds. */
    public static final String FOLD = "fold";
    static final String UNKNOWN = "__unknown__";

    private FeaturePipelineFactory() {}

    public static Pipeline build(FeatureSpec spec) {
        List<PipelineStage> stages = new ArrayList<>();
        if (!spec.pii().isEmpty()) stages.add(RowPrep.guard(spec));
        String derived = RowPrep.derivedSql(spec);
        if (derived != null) stages.add(new SQLTransformer().setStatement(derived));
        if (!spec.calendar().isEmpty()) stages.add(new SQLTransformer().setStatement(calendarSql(spec)));
        List<FeatureColumn> vector = spec.vector();
        List<ColumnTransforms.Chain> chains = new ArrayList<>();
        for (FeatureColumn f : vector) {
            if (f.encode().categorical() || !f.transforms().isEmpty()) chains.add(new ColumnTransforms.Chain(f.name(), f.encode().categorical(), f.transforms()));
        }
        if (!chains.isEmpty()) stages.add(new ColumnTransforms().setChains(chains));
        List<String> indexed = vector.stream().filter(f -> f.encode() == FeatureColumn.Encoding.index || f.encode() == FeatureColumn.Encoding.one_hot
                || f.encode() == FeatureColumn.Encoding.native_category).map(FeatureColumn::name).toList();
        if (!indexed.isEmpty()) {
            // frequencyDesc breaks ties alphabetically: the same data always gives the same indices.
            stages.add(new StringIndexer().setInputCols(indexed.toArray(String[]::new))
                    .setOutputCols(indexed.stream().map(FeaturePipelineFactory::indexColumn).toArray(String[]::new))
                    .setHandleInvalid("keep").setStringOrderType("frequencyDesc"));
        }
        List<String> oneHot = vector.stream().filter(f -> f.encode() == FeatureColumn.Encoding.one_hot).map(FeatureColumn::name).toList();
        if (!oneHot.isEmpty()) {
            // The indexer's extra "unknown" index is a category of its own: the vector keeps a slot for it.
            stages.add(new OneHotEncoder().setInputCols(oneHot.stream().map(FeaturePipelineFactory::indexColumn).toArray(String[]::new))
                    .setOutputCols(oneHot.stream().map(c -> c + "__onehot").toArray(String[]::new)).setDropLast(false).setHandleInvalid("error"));
        }
        for (FeatureColumn f : vector) {
            if (f.encode() == FeatureColumn.Encoding.target) {
                stages.add(new TargetEncoder().setInputCol(f.name()).setOutputCol(f.name() + "__target").setLabelCol(LABEL).setSmoothing(f.smoothing()));
            }
        }
        stages.add(new DenseFeatureAssembler().setInputCols(vector.stream().map(FeaturePipelineFactory::vectorColumn).toArray(String[]::new))
                .setOutputCol(FEATURES));
        return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
    }

    static String indexColumn(String c) {
        return c + "__index";
    }

    static String vectorColumn(FeatureColumn f) {
        return switch (f.encode()) {
            case numeric -> f.name();
            case index, native_category -> indexColumn(f.name());
            case one_hot -> f.name() + "__onehot";
            case target -> f.name() + "__target";
        };
    }

    static String calendarSql(FeatureSpec spec) {
        String ts = "`" + spec.timeColumn() + "`";
        // Timestamps without a zone are wall-clock times in time.zone; calendar features may be wanted in another zone.
        if (!spec.calendarZone().equals(spec.timeZone())) {
            ts = "convert_timezone('" + spec.timeZone() + "', '" + spec.calendarZone() + "', " + ts + ")";
        }
        StringBuilder sql = new StringBuilder("SELECT *");
        for (String c : spec.calendar()) {
            sql.append(", CAST(").append(FeatureSpec.CALENDAR.get(c).replace("ts", ts)).append(" AS DOUBLE) AS `").append(c).append('`');
        }
        return sql.append(" FROM __THIS__").toString();
    }

    /** Names and XGBoost types (q: number, c: category) of the fitted pipeline's vector slots, in order. */
    public static List<String[]> slots(FeatureSpec spec, PipelineModel fitted) {
        StringIndexerModel indexer = null;
        for (Transformer t : fitted.stages()) if (t instanceof StringIndexerModel m) indexer = m;
        List<String[]> out = new ArrayList<>();
        for (FeatureColumn f : spec.vector()) {
            if (f.encode() == FeatureColumn.Encoding.one_hot) {
                int i = Arrays.asList(indexer.getInputCols()).indexOf(f.name());
                for (String label : indexer.labelsArray()[i]) out.add(new String[] {f.name() + "=" + label, "q"});
                out.add(new String[] {f.name() + "=" + UNKNOWN, "q"});
            } else {
                out.add(new String[] {f.name(), f.encode() == FeatureColumn.Encoding.native_category ? "c" : "q"});
            }
        }
        return out;
    }

    /**
     * The fitted pipeline for the train rows themselves: target encoders replaced by their out-of-fold,
     * time-ordered version (a train row never sees its own label). Other rows use {@code fitted} as it is.
     */
    public static PipelineModel forTrainRows(PipelineModel fitted, String dayColumn) {
        Transformer[] stages = fitted.stages().clone();
        boolean changed = false;
        for (int i = 0; i < stages.length; i++) {
            if (stages[i] instanceof TargetEncoderModel m) {
                stages[i] = m.outOfFold(dayColumn);
                changed = true;
            }
        }
        return changed ? new PipelineModel(fitted.uid() + "-train", stages) : fitted;
    }
}
