package dev.treeline.pipelines.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of the catalog. {@code path} is null for datasets whose location Treeline chooses under
 * the workspace; {@code partitionedBy} names the day column of datasets kept one partition per day;
 * {@code schema} is the declared column types of a source; {@code options} the format's own settings
 * (validated by the source reader when the spec loads).
 */
public record DatasetSpec(String name, String format, String path, String partitionedBy, Map<String, ColumnType> schema,
                          SpecNode options, String description, int line) {
    public static final List<String> FORMATS = List.of("parquet", "csv", "jsonl", "jdbc", "json", "directory");
    /** Formats only sources can have: steps write parquet, json or directories. */
    public static final List<String> SOURCE_ONLY = List.of("csv", "jsonl", "jdbc");

    public boolean isPartitioned() {
        return partitionedBy != null;
    }

    public boolean hasSchema() {
        return !schema.isEmpty();
    }

    /** The source's path holds {@code {date}}: one set of files per day. */
    public boolean isDayTemplated() {
        return path != null && path.contains("{date");
    }

    static DatasetSpec from(String name, SpecNode node) {
        node.allowOnly("format", "path", "partitioned_by", "schema", "options", "description");
        String format = node.has("format") ? node.require("format").asEnum(FORMATS) : "parquet";
        String partitionedBy = node.string("partitioned_by", null);
        if (partitionedBy != null && !format.equals("parquet")) {
            throw node.require("partitioned_by").error("only parquet datasets can be partitioned by day");
        }
        Map<String, ColumnType> schema = new LinkedHashMap<>();
        if (node.has("schema")) node.require("schema").asMap().forEach((col, t) -> schema.put(col, ColumnType.of(t)));
        if ((format.equals("csv") || format.equals("jsonl")) && schema.isEmpty()) {
            throw node.error("a " + format + " source needs schema: (column: type, ...); Treeline reads files with the declared schema, never an inferred one");
        }
        if (!format.equals("jdbc") && node.string("path", null) == null && SOURCE_ONLY.contains(format)) {
            throw node.error("a " + format + " source needs a path:");
        }
        return new DatasetSpec(name, format, node.string("path", null), partitionedBy, schema, node.get("options"),
                node.string("description", ""), node.line());
    }

    /** A dataset the pipeline writes but did not list: a run-scoped one in the given format. */
    static DatasetSpec implicit(String name, String format) {
        return new DatasetSpec(name, format, null, null, Map.of(), null, "", 0);
    }
}
