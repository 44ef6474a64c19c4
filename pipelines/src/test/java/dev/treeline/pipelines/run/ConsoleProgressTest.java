package dev.treeline.pipelines.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What a person sees: one live line on a terminal; elsewhere a line per 10% of long work only. */
class ConsoleProgressTest {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    final AtomicLong now = new AtomicLong(1_000_000);

    String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void elsewhereShortWorkPrintsNothingAndLongWorkALinePerTenPercentAtMostEveryThirtySeconds() {
        ConsoleProgress p = new ConsoleProgress(() -> out, false, 100, now::get);
        p.status("a", "[1/2] ingest: 1/10 tasks", 0.1);
        now.addAndGet(20_000);
        p.status("a", "[1/2] ingest: 9/10 tasks", 0.9);
        p.endStatus("a");
        p.info("[1/2] ingest: ok in 20.0 s");
        assertEquals("[1/2] ingest: ok in 20.0 s\n", printed(), "20 s of work: only its result");

        bytes.reset();
        for (int round = 1; round <= 100; round++) {
            now.addAndGet(1_000);
            p.status("b", "[5/9] train: XGBoost round " + round + "/100", round / 100.0);
        }
        List<String> lines = printed().lines().toList();
        // The work started at round 1: 30 s later it is at round 31.
        assertEquals(List.of("[5/9] train: XGBoost round 31/100 · 30 s, ETA 1 min 06 s", "[5/9] train: XGBoost round 61/100 · 1 min 00 s, ETA 38 s",
                "[5/9] train: XGBoost round 91/100 · 1 min 30 s, ETA 9 s"), lines);
    }

    @Test
    void onATerminalTheNewestWorkIsOneLineRewrittenInPlaceUnderTheLinesThatStay() {
        ConsoleProgress p = new ConsoleProgress(() -> out, true, 60, now::get);
        p.status("step", "[4/9] features", Double.NaN);
        now.addAndGet(5_000);
        p.status("rounds", "[5/9] train: XGBoost round 10/100", 0.1);
        assertTrue(printed().endsWith("\r\033[K[5/9] train: XGBoost round 10/100 · 0 s"), printed());
        now.addAndGet(4_000);
        p.status("rounds", "[5/9] train: XGBoost round 50/100 · best validation logloss 0.41234", 0.5);
        assertTrue(printed().endsWith("\r\033[K[5/9] train: XGBoost round 50/100 · best validation loglos…"), "cut to the width: " + printed());
        p.endStatus("rounds");
        p.info("[5/9] train: ok");
        String all = printed();
        assertTrue(all.contains("\r\033[K[5/9] train: ok\n"), "the line that stays replaces the live one: " + all);
        assertTrue(all.endsWith("\r\033[K[4/9] features · 9 s"), "then the live line is the step again: " + all);
    }
}
