package dev.treeline.features.spec;

import dev.treeline.pipelines.spec.Interpolator;
import dev.treeline.pipelines.spec.PipelineSpec;
import dev.treeline.pipelines.spec.SpecException;
import dev.treeline.pipelines.spec.SpecNode;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.StepTypeNames;
import dev.treeline.pipelines.util.DidYouMean;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A feature spec: what a row of day D may know and how it becomes the model's vector. Read from its own
 * YAML file (see docs/features.md); {@link #check} holds it to the input's columns and types and names
 * file, line and key for every problem.
 *
 * <p>Order of evaluation, for training and scoring alike: PII rules → derived columns → calendar
 * features → per-feature transforms and encodings → the dense vector. Aggregates and as-of joins are
 * attached to the rows before that, from data of days before D only.
 */
public record FeatureSpec(
        String label,
        String timeColumn,
        String timeZone,
        Map<String, PiiRule> pii,
        Map<String, String> derived,
        String calendarZone,
        List<String> calendar,
        List<FeatureColumn> features,
        List<AggregateGroup> aggregates,
        List<AsOfJoin> joins,
        String weight,
        String hash,
        SpecNode root) {

    /** Calendar feature name → Spark SQL over the timestamp {@code ts}. */
    public static final Map<String, String> CALENDAR = calendarSql();

    private static Map<String, String> calendarSql() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("month", "month(ts)");
        m.put("day_of_month", "dayofmonth(ts)");
        m.put("day_of_week", "dayofweek(ts)");
        m.put("day_of_year", "dayofyear(ts)");
        m.put("week_of_year", "weekofyear(ts)");
        m.put("hour", "hour(ts)");
        m.put("minute_of_day", "hour(ts) * 60 + minute(ts)");
        m.put("is_weekend", "CASE WHEN dayofweek(ts) IN (1, 7) THEN 1 ELSE 0 END");
        return m;
    }

    /**
     * From a step's params: {@code spec: <file>} (relative to the pipeline spec) or the feature spec
     * written inline. Returns the spec and its text, which is stored beside the fitted pipeline.
     */
    /**
     * The feature spec of the features step of {@code pipeline} that writes {@code dataset} (its feature rows or
     * its fitted pipeline), or null when no step of the pipeline writes it: what a later step's type checks
     * against when the spec loads.
     */
    public static FeatureSpec ofProducer(PipelineSpec pipeline, String dataset) {
        StepSpec s = pipeline.producer(dataset, StepTypeNames.FEATURES);
        return s == null ? null : fromStepParams(s.paramsOrEmpty(), pipeline.file()).spec();
    }

    public static Source fromStepParams(SpecNode params, Path pipelineFile) {
        if (!params.has("spec")) return new Source(parse(params), Json.write(params.toRawPlain()));
        params.allowOnly("spec");
        SpecNode param = params.require("spec");
        Path file = Path.of(param.asString());
        if (!file.isAbsolute() && pipelineFile != null && pipelineFile.toAbsolutePath().getParent() != null) {
            file = pipelineFile.toAbsolutePath().getParent().resolve(file);
        }
        if (!Files.isRegularFile(file)) throw param.error("feature spec file " + file + " not found");
        try {
            return new Source(parse(SpecNode.parse(file, Interpolator.of(Map.of()))), Files.readString(file));
        } catch (IOException e) {
            throw param.error("cannot read feature spec " + file + ": " + e.getMessage());
        }
    }

    /** A parsed spec and the text it came from. */
    public record Source(FeatureSpec spec, String text) {}

    public static FeatureSpec parse(SpecNode n) {
        n.allowOnly("description", "label", "weight", "time", "pii", "derived", "calendar", "features", "aggregates", "joins");
        String label = n.requiredString("label");
        String timeColumn = null;
        String zone = "UTC";
        if (n.has("time")) {
            SpecNode t = n.require("time").allowOnly("column", "zone");
            timeColumn = t.requiredString("column");
            zone = zone(t, "zone", "UTC");
        }
        Map<String, PiiRule> pii = new LinkedHashMap<>();
        if (n.has("pii")) n.require("pii").asMap().forEach((c, r) -> pii.put(c, PiiRule.from(c, r)));
        Map<String, String> derived = new LinkedHashMap<>();
        if (n.has("derived")) n.require("derived").asMap().forEach((c, e) -> derived.put(c, e.asString()));
        List<String> calendar = List.of();
        String calendarZone = zone;
        if (n.has("calendar")) {
            SpecNode c = n.require("calendar");
            SpecNode list = c;
            if (c.isMap()) {
                c.allowOnly("zone", "features");
                calendarZone = zone(c, "zone", zone);
                list = c.require("features");
            }
            for (SpecNode f : list.asList()) f.asEnum(CALENDAR.keySet());
            calendar = list.asStringList();
        }
        List<FeatureColumn> features = new ArrayList<>();
        if (n.has("features")) n.require("features").asMap().forEach((c, f) -> features.add(FeatureColumn.from(c, f)));
        List<AggregateGroup> aggregates = new ArrayList<>();
        if (n.has("aggregates")) for (SpecNode g : n.require("aggregates").asList()) aggregates.add(AggregateGroup.from(g));
        List<AsOfJoin> joins = new ArrayList<>();
        if (n.has("joins")) for (SpecNode j : n.require("joins").asList()) joins.add(AsOfJoin.from(j));
        String hash = Hashing.sha256(Json.canonical(n.toRawPlain())).substring(0, 16);
        FeatureSpec spec = new FeatureSpec(label, timeColumn, zone, pii, derived, calendarZone, List.copyOf(calendar), List.copyOf(features),
                List.copyOf(aggregates), List.copyOf(joins), n.has("weight") ? n.requiredString("weight") : null, hash, n);
        spec.checkShape();
        return spec;
    }

    private static String zone(SpecNode parent, String key, String fallback) {
        String z = parent.string(key, fallback);
        try {
            ZoneId.of(z);
        } catch (DateTimeException e) {
            throw parent.require(key).error("unknown time zone '" + z + "'; use a region id such as UTC or America/New_York");
        }
        return z;
    }

    // ---- the resolved vector ------------------------------------------------------------------

    /**
     * Every feature in vector order: calendar features, the listed features, then aggregate and joined
     * columns not listed (as numbers). Aggregates whose empty window means 0 get that as a first impute.
     */
    public List<FeatureColumn> vector() {
        List<FeatureColumn> out = new ArrayList<>();
        Set<String> listed = new LinkedHashSet<>();
        for (FeatureColumn f : features) listed.add(f.name());
        for (String c : calendar) if (!listed.contains(c)) out.add(new FeatureColumn(c, FeatureColumn.Encoding.numeric, List.of(), 0, 0));
        Map<String, AggregateGroup.Function> aggregateFunctions = aggregateFunctions();
        for (FeatureColumn f : features) out.add(withZeroFill(f, aggregateFunctions.get(f.name())));
        aggregateFunctions.forEach((col, fn) -> {
            if (!listed.contains(col)) out.add(withZeroFill(new FeatureColumn(col, FeatureColumn.Encoding.numeric, List.of(), 0, 0), fn));
        });
        for (AsOfJoin j : joins) {
            for (String col : j.outputColumns()) {
                if (!listed.contains(col)) out.add(new FeatureColumn(col, FeatureColumn.Encoding.numeric, List.of(), 0, 0));
            }
        }
        return out;
    }

    private static FeatureColumn withZeroFill(FeatureColumn f, AggregateGroup.Function fn) {
        if (fn == null || !fn.zeroWhenEmpty()) return f;
        List<Transform> ts = new ArrayList<>();
        ts.add(Transform.impute("constant", "0"));
        ts.addAll(f.transforms());
        return new FeatureColumn(f.name(), f.encode(), List.copyOf(ts), f.smoothing(), f.line());
    }

    /** Aggregate output column → its function, in vector order. */
    public Map<String, AggregateGroup.Function> aggregateFunctions() {
        Map<String, AggregateGroup.Function> out = new LinkedHashMap<>();
        for (AggregateGroup g : aggregates) for (AggregateGroup.Value v : g.values()) for (int w : g.windows()) out.put(g.column(v, w), v.function());
        return out;
    }

    /** Columns a row carries after aggregates and joins are attached, before the feature pipeline. */
    public List<String> attachedColumns() {
        List<String> out = new ArrayList<>(aggregateFunctions().keySet());
        for (AsOfJoin j : joins) out.addAll(j.outputColumns());
        return out;
    }

    /** Derived columns the vector needs (directly or through other derived columns), in declaration order. */
    public Map<String, String> derivedForVector() {
        Set<String> needed = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        for (FeatureColumn f : vector()) todo.add(f.name());
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (derived.containsKey(c) && needed.add(c)) todo.addAll(SqlRefs.of(derived.get(c)));
        }
        Map<String, String> out = new LinkedHashMap<>();
        derived.forEach((k, v) -> {
            if (needed.contains(k)) out.put(k, v);
        });
        return out;
    }

    /** Of the row's columns, those the feature pipeline reads: what serving must send with each row. */
    public List<String> pipelineInputs(List<String> rowColumns) {
        Set<String> read = new LinkedHashSet<>();
        if (!calendar.isEmpty()) read.add(timeColumn);
        for (String expr : derivedForVector().values()) read.addAll(SqlRefs.of(expr));
        for (FeatureColumn f : vector()) read.add(f.name());
        return rowColumns.stream().filter(read::contains).toList();
    }

    public boolean hasPii(String column) {
        return pii.containsKey(column);
    }

    // ---- checks -------------------------------------------------------------------------------

    /** Checks that need no schema: names unique, time column present where windows or calendars need it. */
    private void checkShape() {
        if (timeColumn == null) {
            if (!aggregates.isEmpty()) throw at("aggregates").error("aggregate windows need a time column: add time: {column: <timestamp column>}");
            if (!joins.isEmpty()) throw at("joins").error("as-of joins need a time column: add time: {column: <timestamp column>}");
            if (!calendar.isEmpty()) throw at("calendar").error("calendar features need a time column: add time: {column: <timestamp column>}");
        }
        Set<String> names = new LinkedHashSet<>();
        for (String c : calendar) names.add(c);
        for (String d : derived.keySet()) {
            if (!names.add(d)) throw at("derived").require(d).error("'" + d + "' is also a calendar feature; rename the derived column");
        }
        Set<String> groups = new LinkedHashSet<>();
        for (int i = 0; i < aggregates.size(); i++) {
            AggregateGroup g = aggregates.get(i);
            if (!groups.add(g.name())) throw at("aggregates").asList().get(i).require("name").error("aggregate group '" + g.name() + "' is declared twice");
            for (String c : g.columns()) {
                if (!names.add(c)) throw at("aggregates").asList().get(i).error("output column '" + c + "' clashes with another column; rename the group or value");
            }
        }
        for (int i = 0; i < joins.size(); i++) {
            for (String c : joins.get(i).outputColumns()) {
                if (!names.add(c)) throw at("joins").asList().get(i).error("output column '" + c + "' clashes with another column; rename the join");
            }
        }
        if (vector().isEmpty()) throw root.error("no features: list features:, calendar: or aggregates:");
    }

    /**
     * Holds the spec to the input's columns: every referenced column exists (and is not dropped as PII),
     * types fit their use, and nothing computed from the label's columns enters the vector.
     * {@code input} maps column names to kinds (UNKNOWN where only Spark can tell; null when the spec does
     * not tell the input's columns: then only what needs no schema is checked); {@code derivedKinds}
     * may give the kinds of derived columns and aggregate inputs once Spark has analysed them.
     */
    public void check(String dataset, Map<String, Kind> input, Map<String, Kind> derivedKinds) {
        Map<String, Kind> cols = input == null ? new OpenColumns() : new LinkedHashMap<>(input);
        for (var e : pii.entrySet()) {
            if (input != null && !input.containsKey(e.getKey())) throw unknown(at("pii").asMap().get(e.getKey()), e.getKey(), dataset, input.keySet());
            if (e.getValue().action() == PiiRule.Action.drop) cols.remove(e.getKey());
            else cols.put(e.getKey(), Kind.STRING);
        }
        if (timeColumn != null) {
            SpecNode t = at("time").require("column");
            if (!cols.containsKey(timeColumn)) throw unknown(t, timeColumn, dataset, cols.keySet());
            Kind k = cols.get(timeColumn);
            if (k != Kind.TIMESTAMP && k != Kind.UNKNOWN) {
                throw t.error("time column '" + timeColumn + "' is " + k.spelling() + ", not a timestamp; name a timestamp column");
            }
        }
        // Every column the label reads is an outcome; so is every column computed from one.
        Set<String> labelRefs = refs(at("label"), label);
        for (var e : derived.entrySet()) {
            SpecNode node = at("derived").asMap().get(e.getKey());
            if (input != null && input.containsKey(e.getKey())) throw node.error("derived column '" + e.getKey() + "' already exists in " + dataset + "; pick another name");
            for (String c : refs(node, e.getValue())) if (!cols.containsKey(c)) throw unknown(node, c, dataset, cols.keySet());
            cols.put(e.getKey(), derivedKinds.getOrDefault(e.getKey(), Kind.UNKNOWN));
        }
        for (String c : labelRefs) if (!cols.containsKey(c)) throw unknown(at("label"), c, dataset, cols.keySet());
        Set<String> tainted = new LinkedHashSet<>();
        Deque<String> back = new ArrayDeque<>(labelRefs);
        while (!back.isEmpty()) {
            String c = back.pop();
            if (tainted.add(c) && derived.containsKey(c)) back.addAll(SqlRefs.of(derived.get(c)));
        }
        Set<String> labelInputs = Set.copyOf(tainted);
        for (var e : derived.entrySet()) {
            if (SqlRefs.of(e.getValue()).stream().anyMatch(tainted::contains)) tainted.add(e.getKey());
        }
        for (String c : calendar) cols.put(c, Kind.NUMBER);
        for (int i = 0; i < aggregates.size(); i++) {
            AggregateGroup g = aggregates.get(i);
            SpecNode gn = at("aggregates").asList().get(i);
            for (int k = 0; k < g.keys().size(); k++) {
                String key = g.keys().get(k);
                if (!cols.containsKey(key) || calendar.contains(key)) throw unknown(gn.require("keys"), key, dataset, cols.keySet());
            }
            for (AggregateGroup.Value v : g.values()) {
                SpecNode vn = gn.require("values").asMap().get(v.name());
                if (v.of() == null) continue;
                SpecNode of = vn.require("of");
                for (String c : refs(of, v.of())) if (!cols.containsKey(c) || calendar.contains(c)) throw unknown(of, c, dataset, cols.keySet());
                String bare = SqlRefs.bareColumn(v.of());
                Kind k = derivedKinds.getOrDefault("aggregate:" + g.name() + "." + v.name(), bare != null ? cols.getOrDefault(bare, Kind.UNKNOWN) : Kind.UNKNOWN);
                switch (v.function()) {
                    case sum, mean -> {
                        if (k != Kind.UNKNOWN && !k.numericLike()) throw of.error(v.function() + " needs a number, but " + v.of() + " is " + k.spelling());
                    }
                    case rate -> {
                        if (k != Kind.UNKNOWN && k != Kind.BOOLEAN) {
                            throw of.error("rate needs a true/false expression such as delay > 15, but " + v.of() + " is " + k.spelling());
                        }
                    }
                    default -> { }
                }
            }
            for (String c : g.columns()) {
                AggregateGroup.Function fn = aggregateFunctions().get(c);
                cols.put(c, fn == AggregateGroup.Function.last || fn == AggregateGroup.Function.min || fn == AggregateGroup.Function.max
                        ? derivedKinds.getOrDefault(c, Kind.UNKNOWN) : Kind.NUMBER);
            }
        }
        for (int i = 0; i < joins.size(); i++) {
            AsOfJoin j = joins.get(i);
            SpecNode jn = at("joins").asList().get(i);
            for (String c : j.keys().keySet()) if (!cols.containsKey(c)) throw unknown(jn.require("keys"), c, dataset, cols.keySet());
            for (String c : j.outputColumns()) cols.put(c, derivedKinds.getOrDefault(c, Kind.UNKNOWN));
        }
        for (FeatureColumn f : vector()) {
            SpecNode fn = f.line() > 0 ? at("features").asMap().get(f.name()) : null;
            SpecNode where = fn != null ? fn : root;
            if (!cols.containsKey(f.name())) throw unknown(where, f.name(), dataset, cols.keySet());
            if (tainted.contains(f.name())) {
                throw where.error("feature '" + f.name() + "' is " + (labelInputs.contains(f.name()) ? "used by" : "computed from a column of")
                        + " the label (" + label + "); a feature must not be derived from the label. Use a point-in-time aggregate "
                        + "(aggregates:) to learn from earlier days' labels");
            }
            Kind k = cols.get(f.name());
            if (f.encode() == FeatureColumn.Encoding.numeric && k != Kind.UNKNOWN && !k.numericLike()) {
                throw where.error("feature '" + f.name() + "' is " + k.spelling() + ", not a number; give it encode: index, one_hot, native or target"
                        + (k == Kind.TIMESTAMP ? ", or use calendar: features" : ""));
            }
        }
    }

    /** Columns of an input whose schema the spec does not tell: any name may exist, of a kind only Spark knows. */
    private static final class OpenColumns extends LinkedHashMap<String, Kind> {
        @Override
        public boolean containsKey(Object key) {
            return true;
        }

        @Override
        public Kind get(Object key) {
            return super.getOrDefault(key, Kind.UNKNOWN);
        }

        @Override
        public Kind getOrDefault(Object key, Kind fallback) {
            return super.getOrDefault(key, Kind.UNKNOWN);
        }
    }

    private Set<String> refs(SpecNode node, String expression) {
        try {
            return SqlRefs.of(expression);
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    private static SpecException unknown(SpecNode node, String column, String dataset, Set<String> known) {
        return node.error("unknown column '" + column + "' (not in " + dataset + ", derived or computed columns)" + DidYouMean.hint(column, known));
    }

    /** The node at a top-level key, for error positions. */
    public SpecNode at(String key) {
        SpecNode n = root.get(key);
        return n == null ? root : n;
    }

    public String file() {
        return root.file();
    }
}
