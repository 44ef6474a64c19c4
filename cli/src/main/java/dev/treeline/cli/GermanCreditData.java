package dev.treeline.cli;

import dev.treeline.pipelines.ExitCode;
import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.pipelines.util.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Finds the Statlog German credit table ({@code german.data}) for the example and the quality benchmark:
 * {@code $TREELINE_DATA_DIR/german-credit/german.data} (used as given), else the download cache, else the
 * workplace's shared copy beside the clone (copied into the cache), else UCI's archive, downloaded into the cache. Returns the directory
 * that holds {@code german-credit/}, what the example spec's {@code TREELINE_DATA_DIR} names. Copies Treeline
 * vouches for are checked against the sha256 of the published file.
 */
final class GermanCreditData {
    static final String DIR = "german-credit";
    static final String FILE = "german.data";
    static final String SHA256 = "b21f3d81db8071257d5ff1deaeba1fd4303b62712e6fcc9715c7a86202cb5871";
    static final String URL = "https://archive.ics.uci.edu/static/public/144/statlog+german+credit+data.zip";

    private GermanCreditData() {}

    static Path locate(Path home, Path cacheDir, Progress progress) {
        Path explicit = EnvironmentResolver.system().dataDir();
        if (explicit != null) {
            Path f = explicit.toAbsolutePath().resolve(DIR).resolve(FILE);
            if (!Files.isRegularFile(f)) {
                throw new TreelineException(ExitCode.DATA, "TREELINE_DATA_DIR=" + explicit + " has no " + DIR + "/" + FILE
                        + "; put german.data there or unset TREELINE_DATA_DIR to let Treeline fetch it");
            }
            progress.info("German credit: " + f + " (from TREELINE_DATA_DIR)");
            return explicit.toAbsolutePath();
        }
        Path cached = cacheDir.resolve("data");
        if (Hashing.hasSha256(cached.resolve(DIR).resolve(FILE), SHA256)) {
            progress.info("German credit: " + cached.resolve(DIR).resolve(FILE) + " (cached, sha256 verified)");
            return cached;
        }
        Path shared = home.resolveSibling("shared").resolve("data").resolve(DIR).resolve(FILE);
        if (Hashing.hasSha256(shared, SHA256)) {
            // Copied into the cache, where the example spec looks by default.
            try {
                Files.createDirectories(cached.resolve(DIR));
                Path tmp = Files.createTempFile(cached.resolve(DIR), ".german-", ".data");
                Files.copy(shared, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                AtomicFiles.move(tmp, cached.resolve(DIR).resolve(FILE));
            } catch (IOException e) {
                throw new TreelineException(ExitCode.DATA, "cannot copy " + shared + " into " + cached.resolve(DIR) + ": " + e.getMessage(), e);
            }
            progress.info("German credit: " + cached.resolve(DIR).resolve(FILE) + " (copied from the shared copy, sha256 verified)");
            return cached;
        }
        fetch(cached.resolve(DIR).resolve(FILE), progress);
        return cached;
    }

    private static void fetch(Path target, Progress progress) {
        progress.info("German credit: downloading " + URL + " (first time only)");
        try {
            Files.createDirectories(target.getParent());
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(URL)).timeout(Duration.ofMinutes(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode());
            Path tmp = Files.createTempFile(target.getParent(), ".german-", ".data");
            try (ZipInputStream zip = new ZipInputStream(r.body())) {
                boolean found = false;
                for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    if (Path.of(e.getName()).getFileName().toString().equals(FILE)) {
                        Files.copy(zip, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        found = true;
                        break;
                    }
                }
                if (!found) throw new IOException("the archive holds no " + FILE);
                String sha = Hashing.sha256(tmp);
                if (!sha.equals(SHA256)) {
                    throw new TreelineException(ExitCode.DATA, FILE + " from " + URL + " has sha256 " + sha + ", expected " + SHA256
                            + "; set TREELINE_DATA_DIR to a directory holding a trusted " + DIR + "/" + FILE);
                }
                AtomicFiles.move(tmp, target);
                progress.info("German credit: " + target + " (sha256 verified)");
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TreelineException(ExitCode.INTERRUPTED, "interrupted");
        } catch (IOException e) {
            // A refused or unresolvable host has no message: the exception's kind says what happened.
            String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new TreelineException(ExitCode.DATA, "cannot download the German credit data from " + URL + " (" + why
                    + "); set TREELINE_DATA_DIR to a directory holding " + DIR + "/" + FILE);
        }
    }

}
