package dev.treeline.training.train;

import dev.treeline.training.train.TuneSpec.Dimension;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Proposes parameters for the next trial: uniformly at random, or with the Tree-structured Parzen
 * Estimator (Bergstra et al., 2011) once there are enough finished trials. TPE splits the finished
 * trials into the best quarter and the rest, models each group's values per parameter with a Gaussian
 * mixture in the search's own scale (log for log scales), draws candidates from the good model, and
 * keeps the one where good is most likely relative to bad.
 */
final class ParamSampler {
    /** A finished trial: its parameters and its loss (lower is better). */
    record Observation(Map<String, Double> params, double loss) {}

    static final double GAMMA = 0.25;
    static final int CANDIDATES = 24;

    private final List<Dimension> space;
    private final Random random;

    ParamSampler(List<Dimension> space, long seed) {
        this.space = space;
        this.random = new Random(seed);
    }

    Map<String, Double> random() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Dimension d : space) out.put(d.name(), d.fromInternal(d.internalLow() + random.nextDouble() * (d.internalHigh() - d.internalLow())));
        return out;
    }

    /** TPE's proposal from {@code done}; random while fewer than {@code startup} trials have finished. */
    Map<String, Double> tpe(List<Observation> done, int startup) {
        List<Observation> finite = done.stream().filter(o -> Double.isFinite(o.loss())).sorted(Comparator.comparingDouble(Observation::loss)).toList();
        if (finite.size() < Math.max(2, startup)) return random();
        int nGood = Math.max(1, Math.min(25, (int) Math.ceil(GAMMA * finite.size())));
        List<Observation> good = finite.subList(0, nGood);
        List<Observation> bad = finite.subList(nGood, finite.size());
        List<Parzen> goodModels = new ArrayList<>();
        List<Parzen> badModels = new ArrayList<>();
        for (Dimension d : space) {
            goodModels.add(Parzen.of(d, good));
            badModels.add(Parzen.of(d, bad));
        }
        double bestScore = Double.NEGATIVE_INFINITY;
        double[] best = null;
        for (int c = 0; c < CANDIDATES; c++) {
            double[] x = new double[space.size()];
            double score = 0;
            for (int i = 0; i < space.size(); i++) {
                x[i] = goodModels.get(i).sample(random);
                score += Math.log(goodModels.get(i).density(x[i])) - Math.log(badModels.get(i).density(x[i]));
            }
            if (score > bestScore) {
                bestScore = score;
                best = x;
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < space.size(); i++) out.put(space.get(i).name(), space.get(i).fromInternal(best[i]));
        return out;
    }

    /**
     * A one-dimensional Gaussian mixture over [low, high] in the internal scale: one kernel per observed
     * value plus a wide prior kernel, so that no region ever has zero density.
     */
    private record Parzen(double low, double high, double[] mu, double[] sigma) {
        static Parzen of(Dimension d, List<Observation> obs) {
            double low = d.internalLow();
            double high = d.internalHigh();
            double range = high - low;
            int n = obs.size();
            double[] mu = new double[n + 1];
            double[] sigma = new double[n + 1];
            mu[0] = (low + high) / 2;
            sigma[0] = range;
            double[] xs = new double[n];
            for (int i = 0; i < n; i++) xs[i] = d.toInternal(obs.get(i).params().get(d.name()));
            double mean = 0;
            for (double x : xs) mean += x;
            mean = n == 0 ? 0 : mean / n;
            double var = 0;
            for (double x : xs) var += (x - mean) * (x - mean);
            double std = n > 1 ? Math.sqrt(var / (n - 1)) : range;
            // Scott's rule, bounded so that kernels neither collapse on one point nor cover everything.
            double bw = Math.max(range / Math.min(100.0, 1.0 + n), Math.min(range, 1.06 * std * Math.pow(n + 1, -0.2)));
            for (int i = 0; i < n; i++) {
                mu[i + 1] = xs[i];
                sigma[i + 1] = bw;
            }
            return new Parzen(low, high, mu, sigma);
        }

        double sample(Random r) {
            int k = r.nextInt(mu.length);
            for (int attempt = 0; attempt < 100; attempt++) {
                double x = mu[k] + sigma[k] * r.nextGaussian();
                if (x >= low && x <= high) return x;
            }
            return Math.max(low, Math.min(high, mu[k]));
        }

        double density(double x) {
            double p = 0;
            for (int k = 0; k < mu.length; k++) {
                double z = (x - mu[k]) / sigma[k];
                p += Math.exp(-0.5 * z * z) / (sigma[k] * Math.sqrt(2 * Math.PI));
            }
            return p / mu.length + 1e-300;
        }
    }
}
