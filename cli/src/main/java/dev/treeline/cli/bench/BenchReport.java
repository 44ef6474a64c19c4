package dev.treeline.cli.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.treeline.pipelines.util.Json;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** A benchmark's results as a table for people or one JSON object for machines. */
public record BenchReport(@JsonProperty("benchmark") String benchmark, @JsonProperty("target") String target,
                          @JsonProperty("environment") Map<String, Object> environment, @JsonProperty("results") List<BenchResult> results) {

    public void print(PrintStream out, boolean json) {
        if (json) {
            out.println(Json.write(this));
            return;
        }
        int width = results.stream().mapToInt(r -> r.name().length()).max().orElse(10);
        out.println();
        out.printf("%-" + width + "s  %9s  %7s  %s%n", "benchmark " + benchmark, "seconds", "ratio", "");
        for (BenchResult r : results) {
            out.printf("%-" + width + "s  %9.2f  %7.2f  %s%n", r.name(), r.seconds(), r.ratio(), r.note() == null ? "" : r.note());
        }
        out.println("target: " + target);
    }
}
