package dev.treeline.pipelines.spec;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands {@code ${NAME}} and {@code ${NAME:-default}} in spec values from run parameters, then the
 * environment, and a leading {@code ~/} to the home directory. Defaults may themselves hold {@code ${...}}.
 */
public final class Interpolator {
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.]*)(?::-((?:[^${}]|\\$\\{[^}]*})*))?}");

    private final Function<String, Optional<String>> lookup;

    public Interpolator(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    /** Parameters first, then the process environment. */
    public static Interpolator of(Map<String, String> params) {
        return new Interpolator(name -> Optional.ofNullable(params.get(name)).or(() -> Optional.ofNullable(System.getenv(name))));
    }

    public static Interpolator none() {
        return new Interpolator(name -> Optional.empty());
    }

    /** Returns the expanded text; throws IllegalArgumentException naming the first unset variable. */
    public String expand(String text) {
        String result = text;
        for (int depth = 0; depth < 5 && result.contains("${"); depth++) {
            Matcher m = VAR.matcher(result);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                String fallback = m.group(2);
                String value = lookup.apply(name).orElse(fallback);
                if (value == null) {
                    throw new IllegalArgumentException("${" + name + "} is not set: pass --param " + name
                            + "=VALUE, export " + name + ", or give a default as ${" + name + ":-VALUE}");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            result = out.toString();
        }
        if (result.equals("~") || result.startsWith("~/")) {
            result = System.getProperty("user.home") + result.substring(1);
        }
        return result;
    }
}
