package dev.treeline.pipelines.ingest.sources;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A source path with the day in it: {@code {date}} is {@code yyyy-MM-dd}, {@code {date:PATTERN}} any
 * java.time pattern, e.g. {@code s3a://landing/flights/dt={date}/*.csv} or {@code flights-{date:yyyyMMdd}.csv}.
 */
public final class PathTemplate {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{date(?::([^}]+))?}");

    private PathTemplate() {}

    public static boolean isTemplate(String path) {
        return PLACEHOLDER.matcher(path).find();
    }

    /** Throws IllegalArgumentException naming a bad pattern. */
    public static String expand(String path, LocalDate day) {
        Matcher m = PLACEHOLDER.matcher(path);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String pattern = m.group(1) == null ? "yyyy-MM-dd" : m.group(1);
            DateTimeFormatter f;
            try {
                f = DateTimeFormatter.ofPattern(pattern);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'{date:" + pattern + "}' has an invalid date pattern: " + e.getMessage());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(day.format(f)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
