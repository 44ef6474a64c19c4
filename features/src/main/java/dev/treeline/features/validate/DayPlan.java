package dev.treeline.features.validate;

import dev.treeline.pipelines.catalog.PartitionMarker;
import dev.treeline.pipelines.util.Hashing;
import dev.treeline.pipelines.util.Json;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which days a validate run works on. A day is validated anew when its rejects (or accepted rows) were
 * written from other input or another contract (fingerprints), or when it is the logical date and has no
 * accepted rows yet; the logical date's day rules and drift are checked on every run.
 *
 * @param in the input's days up to the logical date
 * @param todo days whose rows are validated and published by this run
 * @param check days whose day rules are checked (todo and the logical date)
 * @param fingerprints what each day's outputs are written from (contract, input, step version)
 */
record DayPlan(TreeMap<LocalDate, PartitionMarker> in, List<LocalDate> todo, TreeSet<LocalDate> check, Map<LocalDate, String> fingerprints) {

    static DayPlan of(Contract contract, String version, TreeMap<LocalDate, PartitionMarker> in, TreeMap<LocalDate, PartitionMarker> accepted,
                      TreeMap<LocalDate, PartitionMarker> rejects, LocalDate date) {
        Map<LocalDate, String> fps = new TreeMap<>();
        List<LocalDate> todo = new ArrayList<>();
        for (var e : in.entrySet()) {
            String fp = Hashing.sha256(Json.canonical(Map.of("contract", contract, "input", e.getValue().fingerprint(), "version", version))).substring(0, 16);
            fps.put(e.getKey(), fp);
            PartitionMarker r = rejects.get(e.getKey());
            PartitionMarker a = accepted.get(e.getKey());
            if (r == null || !fp.equals(r.fingerprint()) || (a != null && !fp.equals(a.fingerprint())) || (a == null && e.getKey().equals(date))) {
                todo.add(e.getKey());
            }
        }
        TreeSet<LocalDate> check = new TreeSet<>(todo);
        check.add(date);
        return new DayPlan(in, List.copyOf(todo), check, fps);
    }

    /** The days to validate that have rows to read. */
    List<LocalDate> scan() {
        return todo.stream().filter(d -> in.get(d).rows() > 0).toList();
    }
}
