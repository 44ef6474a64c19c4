package dev.treeline.features.build;

import dev.treeline.features.stages.DenseFeatureAssembler;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StringIndexer;

/**
 * Turns {@link FeatureParams} into an unfitted Spark ML pipeline of persistable stages:
 * calendar SQL → frequency-ordered string indexers (unseen values get their own index) → dense vector.
 */
public final class FeaturePipelineFactory {
    public static final String FEATURES = "features";

    private FeaturePipelineFactory() {}

    public static Pipeline build(FeatureParams p) {
        List<PipelineStage> stages = new ArrayList<>();
        if (!p.calendar().isEmpty()) {
            StringBuilder sql = new StringBuilder("SELECT *");
            for (String c : p.calendar()) {
                String expr = FeatureParams.CALENDAR.get(c).replace("ts", "`" + p.timestamp() + "`");
                sql.append(", CAST(").append(expr).append(" AS DOUBLE) AS `").append(c).append('`');
            }
            stages.add(new SQLTransformer().setStatement(sql.append(" FROM __THIS__").toString()));
        }
        if (!p.categorical().isEmpty()) {
            String[] in = p.categorical().toArray(String[]::new);
            String[] out = p.categorical().stream().map(c -> c + "_index").toArray(String[]::new);
            // frequencyDesc breaks ties alphabetically: the same data always gives the same indices.
            stages.add(new StringIndexer().setInputCols(in).setOutputCols(out)
                    .setHandleInvalid("keep").setStringOrderType("frequencyDesc"));
        }
        stages.add(new DenseFeatureAssembler().setInputCols(p.featureNames().toArray(String[]::new)).setOutputCol(FEATURES));
        return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
    }
}
