package dev.treeline.pipelines.util;

import java.util.regex.Pattern;

/**
 * Secrets out of what Treeline prints or stores: one rule for every URL (JDBC, HTTP, s3a) shown in a
 * message, a log line, a reject's {@code source} column or a run record. Passwords in user info
 * ({@code scheme://user:secret@host}) and the values of secret-like parameters ({@code ?password=},
 * {@code ;Password=}, {@code &token=}, any case) become {@code ***}; the rest stays, so the message still
 * says which host and database it means.
 */
public final class Redaction {
    public static final String MASK = "***";
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:;?&\\s]+:)[^@/\\s]+@");
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)([?&;](?:password|passwd|pwd|secret|token|access[_-]?token|access[_-]?key|secret[_-]?key|api[_-]?key|sslpassword|sslkey|credentials?|signature|x-amz-(?:credential|signature|security-token))=)[^&;\\s]*");

    private Redaction() {}

    /** {@code url} with its secrets masked; null stays null. */
    public static String url(String url) {
        if (url == null) return null;
        String s = USER_INFO.matcher(url).replaceAll("$1" + MASK + "@");
        return SECRET_PARAM.matcher(s).replaceAll("$1" + MASK);
    }

    /** Any text that may hold URLs or connection strings (a driver's error message), with their secrets masked. */
    public static String text(String text) {
        return url(text);
    }
}
