package dev.treeline.pipelines.catalog;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import java.net.URI;
import java.nio.file.Path;

/** A catalog read or write failed; the message names the dataset and its location. */
public class DatasetException extends TreelineException {
    public DatasetException(String dataset, String location, String problem, Throwable cause) {
        super(ExitCode.DATA, "dataset '" + dataset + "' (" + display(location) + "): " + problem, cause);
    }

    /** Local paths as paths, other locations as URIs. */
    public static String display(String location) {
        if (location != null && location.startsWith("file:")) {
            try {
                return Path.of(URI.create(location)).toString();
            } catch (RuntimeException e) {
                return location;
            }
        }
        return location;
    }
}
