package dev.treeline.pipelines.env;

import java.nio.file.Path;

/**
 * The layout of one run's directory ({@code runs/<pipeline>/<date>/<run id>/}): the run's own (unpartitioned)
 * datasets under {@code data/}, and each step's scratch files under {@code scratch/<step>/}.
 */
public record RunDir(Path root) {
    /** The run's unpartitioned datasets. */
    public Path data() {
        return root.resolve("data");
    }

    /** Where the catalog keeps an unpartitioned dataset of the run: a directory, or a file for JSON. */
    public Path dataset(String name, boolean json) {
        return data().resolve(json ? name + ".json" : name);
    }

    /** A step's scratch directory: files it writes for itself or for MLflow, not datasets. */
    public Path scratch(String step) {
        return root.resolve("scratch").resolve(step);
    }
}
