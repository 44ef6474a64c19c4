package dev.treeline.features.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.SpecNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Point-in-time aggregates over one entity key: for a row of day D, each value is computed over the
 * rows of the same key on days D-w .. D-1 for each window w, never from day D itself or later.
 * Output columns are named {@code <group>_<value>_<w>d}.
 */
public record AggregateGroup(
        @JsonProperty("name") String name,
        @JsonProperty("keys") List<String> keys,
        @JsonProperty("windows") List<Integer> windows,
        @JsonProperty("values") List<Value> values) {

    public enum Function {
        count, sum, mean, rate, distinct_count, last, min, max;

        /** Whether "no rows in the window" means 0 (else the value is missing). */
        public boolean zeroWhenEmpty() {
            return this == count || this == sum || this == distinct_count;
        }
    }

    /** One aggregated value: a function of a Spark SQL expression over the rows (count may omit it). */
    public record Value(@JsonProperty("name") String name, @JsonProperty("function") Function function,
                        @JsonProperty("of") String of, @JsonProperty("line") int line) {}

    public int maxWindow() {
        return windows.stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    public String column(Value v, int window) {
        return name + "_" + v.name() + "_" + window + "d";
    }

    /** The output columns, in vector order: values, then windows. */
    public List<String> columns() {
        List<String> out = new ArrayList<>();
        for (Value v : values) for (int w : windows) out.add(column(v, w));
        return out;
    }

    static AggregateGroup from(SpecNode node) {
        node.allowOnly("name", "keys", "windows", "values");
        String name = node.requiredString("name");
        if (!name.matches("[A-Za-z][A-Za-z0-9_]*")) throw node.require("name").error("use letters, digits and _ (it prefixes column names)");
        List<String> keys = node.require("keys").asStringList();
        if (keys.isEmpty()) throw node.require("keys").error("name at least one key column");
        TreeSet<Integer> windows = new TreeSet<>();
        for (SpecNode w : node.require("windows").asList()) {
            String raw = w.asString().trim();
            SpecNode at = w;
            int days;
            try {
                days = Integer.parseInt(raw.endsWith("d") ? raw.substring(0, raw.length() - 1) : raw);
            } catch (NumberFormatException e) {
                throw at.error("a window is a number of days, e.g. 7 or 7d; got '" + raw + "'");
            }
            if (days < 1 || days > 366) throw at.error("a window must be 1 to 366 days, got " + days);
            if (!windows.add(days)) throw at.error("window " + days + " is listed twice");
        }
        List<Value> values = new ArrayList<>();
        for (var e : node.require("values").asMap().entrySet()) {
            SpecNode v = e.getValue().allowOnly("function", "of");
            Function f = Function.valueOf(v.require("function").asEnum(Arrays.stream(Function.values()).map(Enum::name).toList()));
            String of = v.string("of", null);
            if (of == null && f != Function.count) throw v.error("function " + f + " needs of: <column or Spark SQL expression>");
            if (!e.getKey().matches("[A-Za-z][A-Za-z0-9_]*")) throw v.error("value names use letters, digits and _");
            values.add(new Value(e.getKey(), f, of, v.line()));
        }
        if (values.isEmpty()) throw node.require("values").error("list at least one value");
        return new AggregateGroup(name, List.copyOf(keys), List.copyOf(windows), List.copyOf(values));
    }
}
