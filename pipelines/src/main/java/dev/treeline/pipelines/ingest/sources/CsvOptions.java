package dev.treeline.pipelines.ingest.sources;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.spec.SpecNode;
import java.nio.charset.Charset;
import java.util.List;

/** {@code options:} of a csv source. Files are always read with the declared schema. */
public record CsvOptions(
        @JsonProperty("header") boolean header,
        @JsonProperty("delimiter") String delimiter,
        @JsonProperty("quote") String quote,
        @JsonProperty("escape") String escape,
        @JsonProperty("encoding") String encoding,
        @JsonProperty("null_values") List<String> nullValues,
        @JsonProperty("timestamp_formats") List<String> timestampFormats,
        @JsonProperty("date_formats") List<String> dateFormats,
        @JsonProperty("multiline") boolean multiline,
        @JsonProperty("max_chars_per_value") int maxCharsPerValue) {

    public static final List<String> DEFAULT_TIMESTAMP_FORMATS = List.of("yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm");
    public static final List<String> DEFAULT_DATE_FORMATS = List.of("yyyy-MM-dd");

    public static CsvOptions from(SpecNode n) {
        if (n == null) return defaults();
        n.allowOnly("header", "delimiter", "quote", "escape", "encoding", "null_values", "timestamp_formats", "date_formats",
                "multiline", "max_chars_per_value");
        String encoding = n.string("encoding", "UTF-8");
        if (!Charset.isSupported(encoding)) throw n.require("encoding").error("'" + encoding + "' is not a character encoding this JVM knows; e.g. UTF-8, ISO-8859-1, windows-1252");
        CsvOptions o = new CsvOptions(n.bool("header", true), n.string("delimiter", ","), n.string("quote", "\""),
                n.string("escape", "\\"), encoding, n.has("null_values") ? n.stringList("null_values") : List.of(""),
                n.has("timestamp_formats") ? n.stringList("timestamp_formats") : DEFAULT_TIMESTAMP_FORMATS,
                n.has("date_formats") ? n.stringList("date_formats") : DEFAULT_DATE_FORMATS,
                n.bool("multiline", false), n.integer("max_chars_per_value", -1, -1, Integer.MAX_VALUE));
        for (String k : List.of("delimiter", "quote", "escape")) {
            String v = n.string(k, null);
            if (v != null && v.length() != 1 && !(k.equals("delimiter") && v.equals("\\t"))) {
                throw n.require(k).error("must be one character, got '" + v + "'");
            }
        }
        return o;
    }

    public static CsvOptions defaults() {
        return new CsvOptions(true, ",", "\"", "\\", "UTF-8", List.of(""), DEFAULT_TIMESTAMP_FORMATS, DEFAULT_DATE_FORMATS, false, -1);
    }

    public char delimiterChar() {
        return delimiter.equals("\\t") ? '\t' : delimiter.charAt(0);
    }
}
