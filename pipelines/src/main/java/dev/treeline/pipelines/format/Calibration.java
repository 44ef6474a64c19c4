package dev.treeline.pipelines.format;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.Arrays;

/**
 * A binary model's probability calibration, fitted on validation predictions and carried in the bundle's
 * {@code treeline-model.json}: the one definition of how a raw score becomes a calibrated probability,
 * for the training run that records expected scores and for every scorer (evaluation, serving, batch).
 *
 * <ul>
 *   <li>{@code platt}: {@code 1 / (1 + exp(-(a * logit(s) + b)))}.</li>
 *   <li>{@code isotonic}: a non-decreasing step function through ({@code x[i]}, {@code y[i]}), linear between
 *   the points and constant beyond the ends (how Spark ML's isotonic regression predicts).</li>
 * </ul>
 */
public record Calibration(
        @JsonProperty("method") String method,
        @JsonProperty("a") double a,
        @JsonProperty("b") double b,
        @JsonProperty("x") double[] x,
        @JsonProperty("y") double[] y) implements Serializable {

    public static final String PLATT = "platt";
    public static final String ISOTONIC = "isotonic";
    /** Scores are kept inside (EPS, 1 - EPS) so that log loss stays finite. */
    public static final double EPS = 1e-7;

    public static Calibration platt(double a, double b) {
        return new Calibration(PLATT, a, b, null, null);
    }

    public static Calibration isotonic(double[] x, double[] y) {
        if (x.length == 0 || x.length != y.length) throw new IllegalArgumentException("isotonic calibration needs as many x as y, at least one");
        return new Calibration(ISOTONIC, 0, 0, x.clone(), y.clone());
    }

    /** The calibrated probability of a raw score. */
    public double apply(double s) {
        double p;
        if (PLATT.equals(method)) {
            double c = Math.min(1 - EPS, Math.max(EPS, s));
            p = 1.0 / (1.0 + Math.exp(-(a * Math.log(c / (1 - c)) + b)));
        } else {
            p = interpolate(s);
        }
        return Math.min(1 - EPS, Math.max(EPS, p));
    }

    private double interpolate(double s) {
        if (s <= x[0]) return y[0];
        int last = x.length - 1;
        if (s >= x[last]) return y[last];
        int i = Arrays.binarySearch(x, s);
        if (i >= 0) return y[i];
        int hi = -i - 1;
        int lo = hi - 1;
        return y[lo] + (y[hi] - y[lo]) * (s - x[lo]) / (x[hi] - x[lo]);
    }

    public String describe() {
        return PLATT.equals(method) ? String.format("platt (a %.4f, b %.4f)", a, b) : "isotonic (" + x.length + " points)";
    }
}
