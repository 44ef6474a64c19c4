package dev.treeline.features.build;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.SpecNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code params:} of a features step: calendar features from a timestamp, numeric columns used as they
 * are, categorical columns indexed by frequency, and the label as a Spark SQL boolean or numeric expression.
 */
public record FeatureParams(
        @JsonProperty("timestamp") String timestamp,
        @JsonProperty("calendar") List<String> calendar,
        @JsonProperty("numeric") List<String> numeric,
        @JsonProperty("categorical") List<String> categorical,
        @JsonProperty("label") String label) {

    /** Calendar feature name → Spark SQL over the timestamp column {@code ts}. */
    public static final Map<String, String> CALENDAR = calendarSql();

    private static Map<String, String> calendarSql() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("month", "month(ts)");
        m.put("day_of_month", "dayofmonth(ts)");
        m.put("day_of_week", "dayofweek(ts)");
        m.put("day_of_year", "dayofyear(ts)");
        m.put("hour", "hour(ts)");
        m.put("minute_of_day", "hour(ts) * 60 + minute(ts)");
        return m;
    }

    public static FeatureParams from(SpecNode node) {
        node.allowOnly("timestamp", "calendar", "numeric", "categorical", "label");
        List<String> calendar = node.stringList("calendar");
        if (node.has("calendar")) {
            for (SpecNode c : node.require("calendar").asList()) c.asEnum(CALENDAR.keySet());
        }
        String timestamp = node.string("timestamp", null);
        if (!calendar.isEmpty() && timestamp == null) {
            throw node.require("calendar").error("calendar features need params.timestamp naming the time column");
        }
        FeatureParams p = new FeatureParams(timestamp, calendar, node.stringList("numeric"), node.stringList("categorical"),
                node.requiredString("label"));
        Set<String> seen = new HashSet<>();
        for (String f : p.featureNames()) {
            if (!seen.add(f)) throw node.error("feature '" + f + "' is listed twice");
        }
        if (p.featureNames().isEmpty()) throw node.error("no features: list calendar, numeric or categorical columns");
        String labelWords = " " + p.label.replaceAll("[^A-Za-z0-9_]", " ") + " ";
        for (String col : p.inputColumns()) {
            if (labelWords.contains(" " + col + " ")) {
                throw node.require("label").error("the label uses column '" + col + "', which is also a feature input; "
                        + "a feature must not be derived from the label");
            }
        }
        return p;
    }

    /** Names of the model's features, in vector order. */
    public List<String> featureNames() {
        List<String> out = new ArrayList<>(calendar);
        out.addAll(numeric);
        for (String c : categorical) out.add(c + "_index");
        return out;
    }

    /** Raw columns the feature pipeline reads (what serving must send). */
    public List<String> inputColumns() {
        List<String> out = new ArrayList<>();
        if (timestamp != null && !calendar.isEmpty()) out.add(timestamp);
        out.addAll(numeric);
        out.addAll(categorical);
        return out;
    }
}
