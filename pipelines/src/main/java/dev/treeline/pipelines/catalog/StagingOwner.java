package dev.treeline.pipelines.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;

/**
 * Who writes a staging directory ({@code _owner.json} in it, written before any data): the process, its
 * host and when it started staging. A staging directory is abandoned only when its owner is known to be
 * gone (a process of this host that no longer runs) or it is older than any write takes; its age comes
 * from here, not from the directory's modification time (which object stores report as 0).
 */
record StagingOwner(@JsonProperty("host") String host, @JsonProperty("pid") long pid, @JsonProperty("process_start") String processStart,
                    @JsonProperty("started") String started) {
    static final String FILE = "_owner.json";
    /** A staging directory whose owner cannot be checked is abandoned after this long. */
    static final long ABANDONED_MILLIS = 24 * 3600_000L;
    /** One written by an earlier Treeline (no owner file), after this long since it last changed. */
    static final long UNOWNED_MILLIS = 3600_000L;

    static StagingOwner current() {
        ProcessHandle self = ProcessHandle.current();
        return new StagingOwner(hostName(), self.pid(), self.info().startInstant().map(Instant::toString).orElse(""), Instant.now().toString());
    }

    /** Whether the writer is gone: a process of this host no longer running, or any writer after {@link #ABANDONED_MILLIS}. */
    boolean abandoned(long nowMillis) {
        if (nowMillis - Instant.parse(started).toEpochMilli() > ABANDONED_MILLIS) return true;
        if (!hostName().equals(host)) return false;
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(h -> h.info().startInstant().map(Instant::toString).orElse("").equals(processStart))
                .map(sameProcess -> !sameProcess)
                .orElse(true);
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
