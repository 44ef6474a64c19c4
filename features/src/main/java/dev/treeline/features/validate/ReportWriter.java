package dev.treeline.features.validate;

import dev.treeline.pipelines.catalog.Catalog;
import dev.treeline.pipelines.catalog.DatasetException;
import dev.treeline.pipelines.catalog.PartitionMarker;
import dev.treeline.pipelines.spec.StepSpec;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The validation report's files, metrics and tags; and reading the report back from a run's catalog. */
public final class ReportWriter {
    static final String JSON = "report.json";
    static final String HTML = "report.html";

    private ReportWriter() {}

    /** Column statistics of the logical date from its partition's footer statistics. */
    static void columnStats(Contract contract, ValidationReport report, PartitionMarker marker) {
        for (ColumnContract c : contract.columns().values()) {
            var col = marker.column(c.name());
            long nulls = col == null ? 0 : col.nulls();
            report.columns.add(new ValidationReport.ColumnStats(c.name(), c.type().spelling(), marker.rows(), nulls,
                    marker.rows() == 0 ? 0 : (double) nulls / marker.rows(), col == null || !c.showsExtremes() ? null : col.min(),
                    col == null || !c.showsExtremes() ? null : col.max(), null, null));
        }
    }

    /**
     * The report as JSON and HTML: the step's third output (listed in the spec or {@code <step>.report}),
     * a catalog directory published whole, and logged to the MLflow run.
     */
    static Path write(StepContext ctx, ValidationReport report) throws Exception {
        Path dir = ctx.catalog().publishDirectory(ctx.output(2), staging -> writeFiles(staging, report));
        ctx.tracker().logArtifacts(dir, "validation");
        return dir;
    }

    /** The report a run of the step wrote, read from the catalog; null when the step had no day to check. */
    public static ValidationReport read(Catalog catalog, StepSpec step) {
        String name = step.outputs().get(2);
        if (!catalog.exists(name)) return null;
        try {
            return Json.read(catalog.directory(name).resolve(JSON), ValidationReport.class);
        } catch (IOException e) {
            throw new DatasetException(name, catalog.location(name), "cannot be read: " + e.getMessage(), e);
        }
    }

    /** The report's page for people, beside its JSON. */
    public static Path html(Catalog catalog, StepSpec step) {
        return catalog.directory(step.outputs().get(2)).resolve(HTML);
    }

    static void logMetrics(StepContext ctx, ValidationReport report) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("validate_rows_in", (double) report.rowsIn);
        m.put("validate_rows_accepted", (double) report.rowsAccepted);
        m.put("validate_rows_rejected", (double) report.rowsRejected);
        for (var d : report.drift) if (d.psi() != null) m.put("drift_psi_" + d.column(), d.psi());
        ctx.tracker().logMetrics(m);
        ctx.tracker().setTags(Map.of("treeline.validation_status", report.status.label()));
    }

    private static void writeFiles(Path dir, ValidationReport report) throws IOException {
        Files.writeString(dir.resolve(JSON), Json.write(report), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(HTML), ReportHtml.render(report), StandardCharsets.UTF_8);
    }
}
