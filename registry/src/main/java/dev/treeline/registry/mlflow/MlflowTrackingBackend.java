package dev.treeline.registry.mlflow;

import dev.treeline.pipelines.env.Environment;
import dev.treeline.pipelines.tracking.Tracking;
import dev.treeline.pipelines.tracking.TrackingBackend;

/** The tracking backend pipelines use when the registry module is on the classpath. */
public final class MlflowTrackingBackend implements TrackingBackend {
    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Tracking open(Environment environment) {
        MlflowConnection c = MlflowConnection.fromEnvironment(environment.requireMlflow());
        if (!c.rest().healthy()) {
            throw MlflowException.unreachable(environment.mlflowUri(), null, null);
        }
        return new MlflowTracking(c);
    }
}
