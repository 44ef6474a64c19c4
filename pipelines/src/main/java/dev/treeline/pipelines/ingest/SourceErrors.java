package dev.treeline.pipelines.ingest;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.catalog.DatasetException;
import dev.treeline.pipelines.ingest.sources.JdbcOptions;
import dev.treeline.pipelines.ingest.sources.JdbcSource;
import dev.treeline.pipelines.spec.DatasetSpec;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.util.Messages;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns Spark's and Hadoop's read failures into one line naming the source, the file and the fix. */
final class SourceErrors {
    private static final Pattern FILE = Pattern.compile("((?:file:|s3a://|hdfs://)[^\\s,;)]*[^\\s,;).])");

    private SourceErrors() {}

    static Exception explain(Exception e, DatasetSpec source, StepContext ctx) {
        String all = chain(e);
        String file = firstFile(all);
        String where = "source '" + source.name() + "'" + (file == null ? "" : " (" + file + ")");
        if (all.contains("is not a Parquet file") || all.contains("Could not read footer") || all.contains("Can not read value at")) {
            return TreelineException.data(where + " is not a readable Parquet file (corrupt, truncated or another format); replace or remove it, or fix datasets."
                    + source.name() + ".format");
        }
        if (all.contains("exceeds the maximum number of characters") || all.contains("Length of parsed input")) {
            return TreelineException.data(where + " has a value longer than options.max_chars_per_value; raise it in datasets." + source.name()
                    + ".options if the value is legitimate, or fix the file");
        }
        if (all.contains("Permission denied") || all.contains("AccessDenied") || all.contains("Forbidden")) {
            return TreelineException.data(where + " cannot be read: permission denied; check the file's permissions or the credentials for its store");
        }
        if (all.contains("Path does not exist") || all.contains("FileNotFoundException") || all.contains("NoSuchKey")) {
            return TreelineException.data(where + " does not exist (it was removed while being read?); check datasets." + source.name() + ".path and run the date again");
        }
        if (all.contains("PSQLException") || all.contains("SQLException")) {
            if (source.format().equals("jdbc")) {
                return JdbcSource.explain(e,
                        JdbcOptions.from(source.options(), source.name()), source);
            }
            return new TreelineException(ExitCode.SERVICE, where + ": " + Messages.rootMessage(e), e);
        }
        return e;
    }

    private static String chain(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 20_000; t = t.getCause() == t ? null : t.getCause()) {
            b.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
        }
        return b.toString();
    }

    private static String firstFile(String text) {
        Matcher m = FILE.matcher(text);
        if (!m.find()) return null;
        String f = m.group(1);
        return f.startsWith("file:") ? DatasetException.display(f.replace("file:///", "file:/")) : f;
    }
}
