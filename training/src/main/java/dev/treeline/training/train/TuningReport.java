package dev.treeline.training.train;

import dev.treeline.pipelines.util.Json;
import dev.treeline.training.evaluate.EvaluationPlots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a search shows in MLflow beside its trials: the best validation value after each trial (did more trials
 * still help?) and each parameter's importance, the absolute Spearman rank correlation of its value (in the
 * search's scale) with the trial's loss over the completed trials, normalised to sum to 1. A rank correlation
 * sees monotone effects only; it is a guide to which ranges to narrow, not a causal measure.
 */
final class TuningReport {
    static final int MIN_TRIALS = 5;

    private TuningReport() {}

    /** Running best of the completed trials' values, in trial order (NaN before the first completed trial). */
    static double[] bestSoFar(Tuner.Outcome o) {
        List<Tuner.Trial> trials = new ArrayList<>(o.trials());
        trials.sort(Comparator.comparingInt(Tuner.Trial::number));
        double[] out = new double[trials.size()];
        double best = Double.NaN;
        for (int i = 0; i < trials.size(); i++) {
            Tuner.Trial t = trials.get(i);
            if (t.state().equals(Tuner.COMPLETE) && !Double.isNaN(t.validation())) {
                if (Double.isNaN(best) || (o.maximize() ? t.validation() > best : t.validation() < best)) best = t.validation();
            }
            out[i] = best;
        }
        return out;
    }

    /** Parameter importance as described above; empty below {@link #MIN_TRIALS} completed trials. */
    static Map<String, Double> importance(Tuner.Outcome o, List<TuneSpec.Dimension> space) {
        List<Tuner.Trial> done = o.trials().stream().filter(t -> t.state().equals(Tuner.COMPLETE) && !Double.isNaN(t.validation())).toList();
        Map<String, Double> raw = new LinkedHashMap<>();
        if (done.size() < MIN_TRIALS) return raw;
        double[] loss = done.stream().mapToDouble(t -> o.maximize() ? -t.validation() : t.validation()).toArray();
        double total = 0;
        for (TuneSpec.Dimension d : space) {
            if (!done.get(0).params().containsKey(d.name())) continue;
            double[] x = done.stream().mapToDouble(t -> d.toInternal(Math.max(d.low(), t.params().get(d.name())))).toArray();
            double rho = Math.abs(spearman(x, loss));
            if (Double.isNaN(rho)) rho = 0;
            raw.put(d.name(), rho);
            total += rho;
        }
        if (total > 0) for (Map.Entry<String, Double> e : raw.entrySet()) e.setValue(e.getValue() / total);
        return raw;
    }

    static double spearman(double[] a, double[] b) {
        return pearson(ranks(a), ranks(b));
    }

    private static double[] ranks(double[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, Comparator.comparingDouble(i -> v[i]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j + 1 < v.length && v[idx[j + 1]] == v[idx[i]]) j++;
            for (int k = i; k <= j; k++) r[idx[k]] = (i + j) / 2.0; // ties share their mean rank
            i = j + 1;
        }
        return r;
    }

    private static double pearson(double[] a, double[] b) {
        double ma = java.util.Arrays.stream(a).average().orElse(0);
        double mb = java.util.Arrays.stream(b).average().orElse(0);
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
    }

    /** Writes report.json, best_so_far.png and importance.png into {@code dir}. */
    static void write(Path dir, Tuner.Outcome o, List<TuneSpec.Dimension> space) throws IOException {
        Files.createDirectories(dir);
        double[] curve = bestSoFar(o);
        Map<String, Double> importance = importance(o, space);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("metric", o.metric());
        report.put("best_so_far", curve);
        report.put("parameter_importance", importance);
        report.put("importance_method", "|Spearman rank correlation| of value and loss over completed trials, normalised");
        Json.writeAtomically(dir.resolve("report.json"), report);
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < curve.length; i++) if (!Double.isNaN(curve[i])) points.add(new double[] {i, curve[i]});
        EvaluationPlots.lines(dir.resolve("best_so_far.png"), "Tuning: best validation " + o.metric() + " after each trial", "trial",
                "best " + o.metric(), List.of(new EvaluationPlots.Curve("best so far", points)));
        if (!importance.isEmpty()) {
            EvaluationPlots.bars(dir.resolve("importance.png"), "Tuning: parameter importance (rank correlation with loss)", "importance", importance);
        }
    }
}
