package dev.treeline.pipelines.step;

import dev.treeline.pipelines.util.DidYouMean;
import java.util.Collection;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The step types on the classpath, by name. */
public final class StepTypes {
    private final Map<String, StepType> byName = new TreeMap<>();

    public StepTypes(Iterable<StepType> types) {
        for (StepType t : types) {
            StepType previous = byName.put(t.name(), t);
            if (previous != null && previous.getClass() != t.getClass()) {
                throw new IllegalStateException("two step types named '" + t.name() + "': "
                        + previous.getClass().getName() + " and " + t.getClass().getName());
            }
        }
    }

    public static StepTypes discover() {
        return new StepTypes(ServiceLoader.load(StepType.class, StepTypes.class.getClassLoader()));
    }

    public StepType get(String name) {
        return byName.get(name);
    }

    public String unknownHint(String name) {
        return DidYouMean.hint(name, byName.keySet());
    }

    public Collection<StepType> all() {
        return byName.values();
    }
}
