package dev.treeline.training.train;

import dev.treeline.features.build.FeatureMeta;
import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.step.StepContext;
import java.util.LinkedHashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The shipped model's final fit: once tuning and early stopping have chosen the parameters and the number of
 * rounds on the training rows, the model is trained again on training + validation rows, so no labelled row
 * outside the holdout is wasted. The round count grows with the data, in proportion to the rows (more rows
 * make each round's gradient steps more reliable, so the best count grows with them).
 */
final class Refit {
    record Outcome(Booster booster, int rounds, Map<String, Double> metrics) {}

    private Refit() {}

    /** Rounds for {@code trainRows + validationRows} rows, when {@code rounds} were best for {@code trainRows}. */
    static int scaledRounds(int rounds, long trainRows, long validationRows) {
        return (int) Math.max(1, Math.round(rounds * (double) (trainRows + validationRows) / trainRows));
    }

    /**
     * {@code rounds}: the early-stopped round count (scaled), or the fixed count when early stopping was off
     * (then kept as is: nothing measured that it should grow).
     */
    static Outcome run(StepContext ctx, Dataset<Row> train, Dataset<Row> validation, TrainParams p, WorkerPlan plan, FeatureMeta features,
                       double scalePosWeight, boolean weighted, int rounds, boolean scale) throws Exception {
        long trainRows = train.count();
        long validationRows = validation.count();
        int refitRounds = scale ? scaledRounds(rounds, trainRows, validationRows) : rounds;
        ctx.spark().sparkContext().setJobDescription(ctx.step().name() + ": refit on training + validation rows");
        ctx.progress().status("refit", String.format("refit on %,d training + %,d validation rows, %d rounds", trainRows, validationRows, refitRounds),
                Double.NaN);
        XGBoostFit.Rounds progress = (done, best) -> ctx.progress().status("refit", String.format("refit round %d/%d on %,d rows", done, refitRounds,
                trainRows + validationRows), (double) done / refitRounds);
        XGBoostFit.Result fit;
        try {
            fit = XGBoostFit.fit(train.unionByName(validation), null, p, plan, features, scalePosWeight, refitRounds, weighted, false, p.seed(), progress);
        } catch (TreelineException e) {
            throw e;
        } catch (Exception e) {
            throw new TreelineException(ExitCode.FAILURE, "XGBoost refit on training + validation rows failed: " + XGBoostErrors.summary(e)
                    + "; set refit: false to ship the early-stopped model", e);
        }
        ctx.progress().endStatus("refit");
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rows_train", (double) trainRows);
        m.put("rows_validation", (double) validationRows);
        m.put("refit_rows", (double) (trainRows + validationRows));
        m.put("refit_rounds", (double) fit.rounds());
        m.put("refit_seconds", fit.seconds());
        return new Outcome(fit.booster(), fit.rounds(), m);
    }
}
