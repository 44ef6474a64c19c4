package dev.treeline.pipelines.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InterpolatorTest {
    final Interpolator vars = new Interpolator(name -> Optional.ofNullable(Map.of("A", "1", "DIR", "/data").get(name)));

    @Test
    void expandsSetVariablesAndDefaults() {
        assertEquals("x-1-y", vars.expand("x-${A}-y"));
        assertEquals("/data/f.parquet", vars.expand("${MISSING:-${DIR}/f.parquet}"));
        assertEquals("fallback", vars.expand("${MISSING:-fallback}"));
        assertEquals(System.getProperty("user.home") + "/c", vars.expand("~/c"));
    }

    @Test
    void unsetVariableWithoutDefaultNamesTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> vars.expand("${NOPE}"));
        assertEquals("${NOPE} is not set: pass --param NOPE=VALUE, export NOPE, or give a default as ${NOPE:-VALUE}", e.getMessage());
    }
}
