package dev.treeline.pipelines.catalog;

import java.io.IOException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;

/** Row counts and per-column statistics of a directory of Parquet files, read from their footers only. */
final class ParquetFooters {
    private ParquetFooters() {}

    record Summary(long rows, Map<String, ColumnSummary> columns) {
        static final Summary EMPTY = new Summary(0, Map.of());
    }

    static Summary of(FileSystem fs, Path dir, Configuration conf) throws IOException {
        long rows = 0;
        Map<String, long[]> nulls = new LinkedHashMap<>();
        Map<String, Comparable<Object>[]> range = new LinkedHashMap<>();
        Map<String, PrimitiveType> types = new LinkedHashMap<>();
        if (!fs.exists(dir)) return Summary.EMPTY;
        for (FileStatus f : fs.listStatus(dir)) {
            String n = f.getPath().getName();
            if (!f.isFile() || n.startsWith("_") || n.startsWith(".")) continue;
            ParquetMetadata footer;
            try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(f, conf))) {
                footer = reader.getFooter();
            }
            List<BlockMetaData> blocks = footer.getBlocks();
            for (BlockMetaData b : blocks) {
                rows += b.getRowCount();
                for (ColumnChunkMetaData c : b.getColumns()) {
                    String col = c.getPath().toDotString();
                    types.putIfAbsent(col, c.getPrimitiveType());
                    Statistics<?> s = c.getStatistics();
                    if (s == null || s.isEmpty()) {
                        nulls.computeIfAbsent(col, k -> new long[] {0, 1});
                        nulls.get(col)[1] = 1; // unknown
                        continue;
                    }
                    nulls.computeIfAbsent(col, k -> new long[] {0, 0})[0] += s.getNumNulls();
                    if (s.hasNonNullValue()) merge(range, col, s);
                }
            }
        }
        Map<String, ColumnSummary> out = new LinkedHashMap<>();
        for (var e : nulls.entrySet()) {
            Comparable<Object>[] r = range.get(e.getKey());
            PrimitiveType t = types.get(e.getKey());
            out.put(e.getKey(), new ColumnSummary(e.getValue()[0], r == null ? null : text(r[0], t), r == null ? null : text(r[1], t)));
        }
        return new Summary(rows, out);
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Comparable<Object>[]> range, String col, Statistics<?> s) {
        Comparable<Object> min = (Comparable<Object>) s.genericGetMin();
        Comparable<Object> max = (Comparable<Object>) s.genericGetMax();
        Comparable<Object>[] r = range.get(col);
        if (r == null) {
            range.put(col, new Comparable[] {min, max});
        } else {
            if (min.compareTo(r[0]) < 0) r[0] = min;
            if (max.compareTo(r[1]) > 0) r[1] = max;
        }
    }

    /** Values as text: timestamps and dates readable, strings decoded, numbers as they are. */
    private static String text(Object v, PrimitiveType t) {
        LogicalTypeAnnotation logical = t.getLogicalTypeAnnotation();
        if (v instanceof Binary b) return b.toStringUsingUTF8();
        if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts && v instanceof Long l) {
            long micros = switch (ts.getUnit()) {
                case MILLIS -> l * 1000;
                case MICROS -> l;
                case NANOS -> l / 1000;
            };
            return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000), (int) Math.floorMod(micros, 1_000_000) * 1000, ZoneOffset.UTC).toString();
        }
        if (logical instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation && v instanceof Integer i) return LocalDate.ofEpochDay(i).toString();
        return String.valueOf(v);
    }
}
