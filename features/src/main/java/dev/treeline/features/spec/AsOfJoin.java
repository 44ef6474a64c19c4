package dev.treeline.features.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.SpecNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Columns taken from another dataset as of a row's day: the latest record of the same key whose time is
 * before the start of the row's day D (and not older than {@code max_age_days}). Output columns are
 * named {@code <join>_<column>}.
 */
public record AsOfJoin(
        @JsonProperty("name") String name,
        @JsonProperty("dataset") String dataset,
        @JsonProperty("keys") Map<String, String> keys,
        @JsonProperty("time") String time,
        @JsonProperty("columns") List<String> columns,
        @JsonProperty("max_age_days") int maxAgeDays) {

    public String column(String c) {
        return name + "_" + c;
    }

    public List<String> outputColumns() {
        return columns.stream().map(this::column).toList();
    }

    static AsOfJoin from(SpecNode node) {
        node.allowOnly("name", "dataset", "keys", "time", "columns", "max_age_days");
        String name = node.requiredString("name");
        if (!name.matches("[A-Za-z][A-Za-z0-9_]*")) throw node.require("name").error("use letters, digits and _ (it prefixes column names)");
        Map<String, String> keys = new LinkedHashMap<>();
        SpecNode k = node.require("keys");
        if (k.isMap()) keys.putAll(k.asStringMap());
        else for (String c : k.asStringList()) keys.put(c, c);
        if (keys.isEmpty()) throw k.error("map at least one row column to a column of the dataset, e.g. {origin: airport}");
        List<String> cols = node.require("columns").asStringList();
        if (cols.isEmpty()) throw node.require("columns").error("list the columns to take");
        return new AsOfJoin(name, node.requiredString("dataset"), keys, node.requiredString("time"), List.copyOf(cols),
                node.integer("max_age_days", 3660, 1, 36600));
    }
}
