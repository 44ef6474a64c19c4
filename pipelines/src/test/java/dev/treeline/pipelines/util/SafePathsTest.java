package dev.treeline.pipelines.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.treeline.pipelines.TreelineException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SafePathsTest {
    static final Path DIR = Path.of("/tmp/target");

    @Test
    void relativePathsInsideTheDirectoryResolve() {
        assertEquals(Path.of("/tmp/target/model.ubj"), SafePaths.under(DIR, "model.ubj", "m"));
        assertEquals(Path.of("/tmp/target/feature_pipeline/stages/0/data"), SafePaths.under(DIR, "feature_pipeline/stages/0/data", "m"));
        assertEquals(Path.of("/tmp/target/a..b"), SafePaths.under(DIR, "a..b", "m"), "dots inside a name are a name");
    }

    @Test
    void pathsThatClimbOutOrAreAbsoluteAreRefused() {
        for (String bad : List.of("../x", "a/../../x", "a/..", "..", "/etc/passwd", "\\\\server\\x", "a\\..\\..\\x", "", "a\0b")) {
            TreelineException e = assertThrows(TreelineException.class, () -> SafePaths.under(DIR, bad, "manifest.json"), bad);
            assertTrue(e.getMessage().startsWith("manifest.json names the path '" + bad + "', which leaves the directory it belongs in"), e.getMessage());
        }
        assertThrows(TreelineException.class, () -> SafePaths.child(DIR, "a/b", "listing"), "a child is one segment");
    }

    @Test
    void modelNamesAreWhatPathsAndKeysTakeUnquoted() {
        for (String ok : List.of("flights-delay", "churn_v2", "m.1", "A1")) assertNull(SafePaths.modelNameProblem(ok), ok);
        for (String bad : List.of("x/..", "..", "a..b", "-lead", "a b", "a/b", "é", "x".repeat(129))) {
            assertTrue(SafePaths.modelNameProblem(bad).startsWith("model name '" + bad + "' is not allowed"), bad);
        }
    }
}
