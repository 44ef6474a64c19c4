package dev.treeline.pipelines.util;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Names and relative paths that come from outside (a manifest on S3, an artifact listing from MLflow, a
 * model name typed or read from a spec) before they become local paths or object keys: one rule, so a
 * planted {@code ../} can never write outside the directory it was meant for.
 */
public final class SafePaths {
    /** Model names: what MLflow, S3 keys and file names all accept without quoting. */
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private SafePaths() {}

    /** {@code relative} resolved under {@code dir}; fails when it is absolute, empty or climbs out of {@code dir}. */
    public static Path under(Path dir, String relative, String origin) {
        if (relative == null || relative.isEmpty() || relative.startsWith("/") || relative.startsWith("\\") || relative.contains("\0")) {
            throw unsafe(relative, origin);
        }
        for (String segment : relative.split("[/\\\\]")) {
            if (segment.equals("..")) throw unsafe(relative, origin);
        }
        Path base = dir.toAbsolutePath().normalize();
        Path resolved = base.resolve(relative).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base)) throw unsafe(relative, origin);
        return resolved;
    }

    /** One path segment (a file or directory name, no separators) resolved under {@code dir}. */
    public static Path child(Path dir, String name, String origin) {
        if (name == null || name.contains("/") || name.contains("\\")) throw unsafe(name, origin);
        return under(dir, name, origin);
    }

    /** The model name, when it is one Treeline can use in paths and keys; else a usage error naming the rule. */
    public static String modelName(String name) {
        String problem = modelNameProblem(name);
        if (problem != null) throw new TreelineException(ExitCode.USAGE, problem);
        return name;
    }

    /** Why {@code name} cannot be a model name, or null when it can. */
    public static String modelNameProblem(String name) {
        if (name != null && MODEL_NAME.matcher(name).matches() && !name.contains("..")) return null;
        return "model name '" + name + "' is not allowed: use letters, digits, '_', '-' and '.' (not '..'), starting with a letter or digit, "
                + "at most 128 characters";
    }

    private static TreelineException unsafe(String path, String origin) {
        return new TreelineException(ExitCode.FAILURE, origin + " names the path '" + path + "', which leaves the directory it belongs in; "
                + "refusing to write it (the metadata may have been tampered with)");
    }
}
