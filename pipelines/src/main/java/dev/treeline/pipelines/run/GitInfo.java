package dev.treeline.pipelines.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The git commit of the directory a spec lives in, for lineage; "unknown" outside a repository. */
public final class GitInfo {
    private GitInfo() {}

    public static String commit(Path dir) {
        String head = git(dir, "rev-parse", "HEAD");
        if (head == null) return "unknown";
        String dirty = git(dir, "status", "--porcelain", "--untracked-files=no");
        return dirty != null && !dirty.isBlank() ? head + "-dirty" : head;
    }

    private static String git(Path dir, String... args) {
        try {
            String[] cmd = new String[args.length + 3];
            cmd[0] = "git";
            cmd[1] = "-C";
            cmd[2] = dir.toString();
            System.arraycopy(args, 0, cmd, 3, args.length);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return new String(out, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
