package dev.treeline.scheduler;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A controller is alive exactly as long as Quartz's cluster recovery would leave it alone. */
class ClusterLivenessTest {
    @Test
    void aCheckinDelayedBySecondsOnABusyMachineIsStillAliveAsQuartzSeesIt() {
        long now = 1_000_000;
        assertTrue(QuartzSetup.alive(now - 5_000, 1_000, now), "5 s late with a 1 s interval: Quartz does not recover it");
        assertTrue(QuartzSetup.alive(now - 8_500, 1_000, now), "the last moment Quartz still counts it");
        assertFalse(QuartzSetup.alive(now - 8_501, 1_000, now), "past interval + 7.5 s Quartz recovers its runs");
        assertFalse(QuartzSetup.alive(now - 60_000, 7_500, now));
    }
}
