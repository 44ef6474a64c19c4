package dev.treeline.pipelines.tracking;

import dev.treeline.pipelines.env.Environment;

/** SPI for tracking (MLflow in the registry module). The runner uses the highest priority one found. */
public interface TrackingBackend {
    int priority();

    /** Connects, or throws a TreelineException with exit code SERVICE naming the URL and the fix. */
    Tracking open(Environment environment);
}
