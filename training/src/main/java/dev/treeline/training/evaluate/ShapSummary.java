package dev.treeline.training.evaluate;

import dev.treeline.features.build.FeaturePipelineFactory;
import dev.treeline.training.bundle.ModelBundle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Mean absolute SHAP value per feature, from XGBoost's own contribution predictions (TreeSHAP) on a
 * sample of holdout rows through the bundle's saved pipeline, trees up to the best iteration.
 */
final class ShapSummary {
    static final int SAMPLE_ROWS = 2000;

    private ShapSummary() {}

    static Map<String, Double> meanAbs(ModelBundle bundle, Dataset<Row> rows, long seed) {
        List<String> names = bundle.meta().featureNames();
        int n = names.size();
        List<Row> sample = bundle.loadFeaturePipeline().transform(rows.orderBy(org.apache.spark.sql.functions.rand(seed)).limit(SAMPLE_ROWS))
                .select(FeaturePipelineFactory.FEATURES).collectAsList();
        Map<String, Double> out = new LinkedHashMap<>();
        if (sample.isEmpty()) return out;
        float[] data = new float[sample.size() * n];
        for (int i = 0; i < sample.size(); i++) {
            Vector v = (Vector) sample.get(i).get(0);
            for (int j = 0; j < n; j++) data[i * n + j] = (float) v.apply(j);
        }
        Booster booster = bundle.loadBooster();
        DMatrix matrix = null;
        try {
            matrix = new DMatrix(data, sample.size(), n, Float.NaN);
            List<String> types = bundle.featureMeta().featureTypes();
            if (types != null && types.contains("c")) matrix.setFeatureTypes(types.toArray(String[]::new));
            float[][] contrib = booster.predictContrib(matrix, bundle.meta().iterationEnd());
            double[] sums = new double[n];
            // One block of n contributions plus the bias per output (per class for multiclass models).
            for (float[] row : contrib) {
                for (int block = 0; block + n < row.length; block += n + 1) for (int j = 0; j < n; j++) sums[j] += Math.abs(row[block + j]);
            }
            for (int j = 0; j < n; j++) out.put(names.get(j), sums[j] / contrib.length);
            return out;
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost contribution predictions failed: " + e.getMessage(), e);
        } finally {
            if (matrix != null) matrix.dispose();
            booster.dispose();
        }
    }
}
