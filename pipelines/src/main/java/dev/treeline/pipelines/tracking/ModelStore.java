package dev.treeline.pipelines.tracking;

import java.nio.file.Path;
import java.util.Optional;

/** Read access to the model registry for steps that compare against a registered model. */
public interface ModelStore {
    Optional<ModelRef> byAlias(String model, String alias);

    /** Downloads the version's model directory into {@code target} (created) and returns it. */
    Path download(ModelRef ref, Path target);
}
