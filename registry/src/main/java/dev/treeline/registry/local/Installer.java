package dev.treeline.registry.local;

import dev.treeline.pipelines.Versions;
import dev.treeline.pipelines.env.EnvironmentResolver;
import dev.treeline.pipelines.run.Progress;
import dev.treeline.pipelines.util.AtomicFiles;
import dev.treeline.pipelines.util.FileLocks;
import dev.treeline.pipelines.util.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Installs what the local stack runs, once per machine, into the download cache (never the clone):
 * the MLflow server in a Python venv from the pinned requirements, and the S3Proxy jar from Maven
 * Central, checked against its pinned sha256.
 */
public final class Installer {
    static final String REQUIREMENTS = "mlflow-server.txt";
    static final String SPARK_REQUIREMENTS = "spark.txt";

    private final Path cacheDir;
    private final Progress progress;

    public Installer(Path cacheDir, Progress progress) {
        this.cacheDir = cacheDir;
        this.progress = progress;
    }

    static String requirements() {
        return requirements(REQUIREMENTS);
    }

    static String requirements(String file) {
        try (InputStream in = Installer.class.getResourceAsStream(file)) {
            if (in == null) throw new IllegalStateException(file + " missing from the Treeline jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The MLflow server's venv, created on first use. */
    public Path mlflowVenv() {
        return venv("mlflow", REQUIREMENTS, Versions.mlflowServer(), "the MLflow " + Versions.mlflowServer() + " server", "about 2 minutes");
    }

    /** Where the venv for the pinned requirements lives (a new requirements file gets a new venv). */
    public Path venvDir() {
        return venvDir("mlflow", REQUIREMENTS, Versions.mlflowServer());
    }

    /**
     * A Spark distribution for spark-submit and standalone masters and workers: pyspark's, which carries
     * {@code bin/} and {@code jars/}, from PyPI at the Spark version Treeline is built with.
     */
    public Path sparkHome() {
        String version = org.apache.spark.package$.MODULE$.SPARK_VERSION();
        Path venv = venv("spark", SPARK_REQUIREMENTS, version, "Spark " + version + " (pyspark's distribution)", "about 1 minute");
        try (var libs = Files.list(venv.resolve("lib"))) {
            Path home = libs.map(l -> l.resolve("site-packages/pyspark")).filter(Files::isDirectory).findFirst()
                    .orElseThrow(() -> new StackException("no pyspark in " + venv + "; delete it and run again"));
            if (!version.equals(Files.readString(home.resolve("version.py")).replaceAll("(?s).*__version__[^\"']*[\"']([^\"']+).*", "$1"))) {
                throw new StackException("pyspark in " + venv + " is not Spark " + version + "; fix requirements/" + SPARK_REQUIREMENTS);
            }
            return home;
        } catch (IOException e) {
            throw new StackException("cannot read " + venv + ": " + e.getMessage(), e);
        }
    }

    /** A venv with tools the test suite runs (checkov, python-hcl2, the notebook runner), from a pinned requirements file. */
    public Path toolVenv(String name, String requirementsFile, String label) {
        return venv(name, requirementsFile, "py", label, "a few minutes");
    }

    /** A venv from pinned requirements, created on first use; its {@code .complete} marker is written last. */
    Path venv(String name, String requirementsFile, String version, String label, String duration) {
        String req = requirements(requirementsFile);
        Path venv = venvDir(name, requirementsFile, version);
        if (Files.exists(venv.resolve(".complete"))) return venv;
        try (FileLocks.Held lock = FileLocks.acquire(cacheDir.resolve(name).resolve(".install.lock"))) {
            if (Files.exists(venv.resolve(".complete"))) return venv;
            String python = findPython();
            AtomicFiles.deleteRecursively(venv); // a half-made venv from an interrupted install
            Files.createDirectories(venv.getParent());
            Path log = venv.getParent().resolve("install-" + venv.getFileName() + ".log");
            progress.info("Installing " + label + " into " + venv + " (first time only, " + duration + "; log: " + log + ")");
            run(List.of(python, "-m", "venv", venv.toString()), log, 300,
                    python + " -m venv failed; on Debian install the venv module: apt-get install python3-venv");
            Path reqFile = venv.resolve("requirements.txt");
            Files.writeString(reqFile, req);
            run(List.of(venv.resolve("bin/python").toString(), "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
                    "-r", reqFile.toString()), log, 1800, "pip could not install " + label + "; check network access to PyPI");
            Files.writeString(venv.resolve(".complete"), label + "\n");
            return venv;
        } catch (IOException e) {
            throw new StackException("cannot install " + label + " into " + venv + ": " + e.getMessage(), e);
        }
    }

    private Path venvDir(String name, String requirementsFile, String version) {
        return cacheDir.resolve(name).resolve(version + "-" + Hashing.sha256(requirements(requirementsFile)).substring(0, 8));
    }

    /** The S3Proxy jar, downloaded once and verified. */
    public Path s3proxyJar() {
        String version = Versions.s3proxy();
        Path jar = cacheDir.resolve("s3proxy").resolve("s3proxy-" + version + "-jar-with-dependencies.jar");
        try {
            if (Files.exists(jar) && Hashing.sha256(jar).equals(Versions.s3proxySha256())) return jar;
            String repo = EnvironmentResolver.system().mavenRepo();
            String url = repo + "/org/gaul/s3proxy/" + version + "/s3proxy-" + version + "-jar-with-dependencies.jar";
            progress.info("Downloading S3Proxy " + version + " (55 MB, first time only) from " + url);
            Files.createDirectories(jar.getParent());
            Path tmp = jar.resolveSibling(jar.getFileName() + ".part-" + ProcessHandle.current().pid());
            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(20)).build();
            HttpResponse<Path> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10)).build(),
                    HttpResponse.BodyHandlers.ofFile(tmp));
            if (r.statusCode() != 200) {
                Files.deleteIfExists(tmp);
                throw new StackException("downloading " + url + " failed: HTTP " + r.statusCode() + "; set TREELINE_MAVEN_REPO to a reachable Maven mirror");
            }
            String sha = Hashing.sha256(tmp);
            if (!sha.equals(Versions.s3proxySha256())) {
                Files.deleteIfExists(tmp);
                throw new StackException("S3Proxy download from " + url + " has sha256 " + sha + ", expected " + Versions.s3proxySha256()
                        + "; the mirror served a different file");
            }
            AtomicFiles.move(tmp, jar);
            return jar;
        } catch (IOException e) {
            throw new StackException("cannot download S3Proxy " + version + ": " + e.getMessage() + "; check network access to Maven Central", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while downloading S3Proxy");
        }
    }

    static String findPython() {
        return findPython(List.of("python3.11", "python3", "python"));
    }

    static String findPython(List<String> candidates) {
        for (String candidate : candidates) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import sys; print(sys.version_info >= (3, 9))").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0 && out.equals("True")) return candidate;
            } catch (IOException e) {
                // not on PATH; try the next name
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new StackException("Python 3.9 or newer was not found on PATH (tried " + String.join(", ", candidates) + "); the local MLflow server needs it: "
                + "install Python 3.11 with pip and venv (Debian: apt-get install python3 python3-venv python3-pip)");
    }

    private static void run(List<String> command, Path log, int timeoutSeconds, String failure) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new StackException(failure + " (timed out after " + timeoutSeconds + " s; log: " + log + ")");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new StackException("interrupted");
        }
        if (p.exitValue() != 0) {
            throw new StackException(failure + "; last lines of " + log + ":\n  " + String.join("\n  ", ManagedProcess.tail(log, 8)));
        }
    }
}
