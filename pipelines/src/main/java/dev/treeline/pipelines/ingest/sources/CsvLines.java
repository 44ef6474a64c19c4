package dev.treeline.pipelines.ingest.sources;

/** Explains why Spark could not parse a CSV record: counts its fields the way a CSV parser does. */
public final class CsvLines {
    private CsvLines() {}

    /** The field count of {@code line}, or -1 when a quoted field is never closed. */
    public static int fields(String line, char delimiter, char quote, char escape) {
        if (line == null) return 0;
        int count = 1;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == escape && escape != quote && i + 1 < line.length()) {
                    i++;
                } else if (c == quote) {
                    if (i + 1 < line.length() && line.charAt(i + 1) == quote) i++;
                    else quoted = false;
                }
            } else if (c == quote) {
                quoted = true;
            } else if (c == delimiter) {
                count++;
            }
        }
        return quoted ? -1 : count;
    }

    /** A reason for a record Spark marked corrupt. */
    public static String reason(String line, int expected, char delimiter, char quote, char escape) {
        int n = fields(line, delimiter, quote, escape);
        if (n < 0) return "malformed CSV record: a quoted field is not closed";
        if (n != expected) return "malformed CSV record: " + n + " field" + (n == 1 ? "" : "s") + ", expected " + expected
                + (n == 1 ? " (is the delimiter '" + delimiter + "' right?)" : "");
        return "malformed CSV record";
    }
}
