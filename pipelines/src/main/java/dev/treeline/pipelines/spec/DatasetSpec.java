package dev.treeline.pipelines.spec;

import java.util.List;

/**
 * One entry of the catalog. {@code path} is null for datasets whose location Treeline chooses under
 * the workspace; {@code partitionedBy} names the day column of datasets kept one partition per day.
 */
public record DatasetSpec(String name, String format, String path, String partitionedBy, String description, int line) {
    public static final List<String> FORMATS = List.of("parquet", "json", "directory");

    public boolean isPartitioned() {
        return partitionedBy != null;
    }

    static DatasetSpec from(String name, SpecNode node) {
        node.allowOnly("format", "path", "partitioned_by", "description");
        String format = node.has("format") ? node.require("format").asEnum(FORMATS) : "parquet";
        String partitionedBy = node.string("partitioned_by", null);
        if (partitionedBy != null && !format.equals("parquet")) {
            throw node.require("partitioned_by").error("only parquet datasets can be partitioned by day");
        }
        return new DatasetSpec(name, format, node.string("path", null), partitionedBy,
                node.string("description", ""), node.line());
    }

    /** A dataset the pipeline writes but did not list: a run-scoped one in the given format. */
    static DatasetSpec implicit(String name, String format) {
        return new DatasetSpec(name, format, null, null, "", 0);
    }
}
