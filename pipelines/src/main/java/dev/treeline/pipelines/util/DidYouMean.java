package dev.treeline.pipelines.util;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Suggests the closest known names for a misspelt one (Levenshtein distance). */
public final class DidYouMean {
    private DidYouMean() {}

    public static List<String> closest(String wrong, Collection<String> known) {
        int limit = Math.max(2, wrong.length() / 3);
        return known.stream()
                .filter(k -> distance(wrong.toLowerCase(), k.toLowerCase()) <= limit)
                .sorted(Comparator.comparingInt((String k) -> distance(wrong, k)).thenComparing(k -> k))
                .limit(3)
                .toList();
    }

    /** " (did you mean 'a' or 'b'?)" or "" when nothing is close; then the list of known names. */
    public static String hint(String wrong, Collection<String> known) {
        List<String> close = closest(wrong, known);
        String suggestion = close.isEmpty() ? "" : " (did you mean '" + String.join("' or '", close) + "'?)";
        return suggestion + "; expected one of: " + String.join(", ", known.stream().sorted().toList());
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}
