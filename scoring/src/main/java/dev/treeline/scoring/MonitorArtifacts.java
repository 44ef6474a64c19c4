package dev.treeline.scoring;

import dev.treeline.pipelines.catalog.PartitionedDataset;
import dev.treeline.pipelines.step.StepContext;
import dev.treeline.pipelines.tracking.Tracker;
import dev.treeline.pipelines.util.Json;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.time.Day;
import org.jfree.data.time.TimeSeries;
import org.jfree.data.time.TimeSeriesCollection;

/**
 * The monitoring run's artifacts: {@code monitoring/history.json}, every monitored day and version as a
 * table, and time-series charts (PNG) of realised AUC (or RMSE) against the evaluated CI lower bound, and of
 * score and feature drift.
 */
final class MonitorArtifacts {
    private MonitorArtifacts() {}

    static void write(StepContext ctx, PartitionedDataset out, Tracker run, LocalDate day) throws IOException {
        List<Map<String, Object>> table = new ArrayList<>();
        Map<String, TimeSeries> realised = new TreeMap<>();
        Map<String, TimeSeries> drift = new TreeMap<>();
        TimeSeries ciLow = new TimeSeries("evaluated AUC CI low");
        List<Row> rows = out.read(out.markers().headMap(day, true).keySet()).orderBy(out.column(), "model_version").collectAsList();
        for (Row r : rows) {
            LocalDate d = r.getDate(r.fieldIndex(out.column())).toLocalDate();
            String v = r.getString(r.fieldIndex("model_version"));
            @SuppressWarnings("unchecked")
            Map<String, Object> metrics = Json.MAPPER.readValue(r.getString(r.fieldIndex("metrics_json")), Map.class);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("day", d.toString());
            row.put("model_version", v);
            row.putAll(metrics);
            row.put("breaches", r.getString(r.fieldIndex("breaches")));
            table.add(row);
            Day jd = new Day(java.util.Date.from(d.atStartOfDay().toInstant(ZoneOffset.UTC)), java.util.TimeZone.getTimeZone("UTC"), java.util.Locale.ROOT);
            Object auc = metrics.getOrDefault("auc", metrics.get("rmse"));
            if (auc instanceof Number n) realised.computeIfAbsent("version " + v, TimeSeries::new).addOrUpdate(jd, n.doubleValue());
            if (metrics.get("score_psi") instanceof Number n) drift.computeIfAbsent("score PSI v" + v, TimeSeries::new).addOrUpdate(jd, n.doubleValue());
            if (metrics.get("feature_psi_max") instanceof Number n) drift.computeIfAbsent("max feature PSI v" + v, TimeSeries::new).addOrUpdate(jd, n.doubleValue());
            if (!r.isNullAt(r.fieldIndex("evaluated_auc_ci_low"))) ciLow.addOrUpdate(jd, r.getDouble(r.fieldIndex("evaluated_auc_ci_low")));
        }
        Path dir = Files.createDirectories(ctx.scratchDir().resolve("monitoring"));
        Json.writeAtomically(dir.resolve("history.json"), table);
        TimeSeriesCollection perf = new TimeSeriesCollection();
        realised.values().forEach(perf::addSeries);
        if (!ciLow.isEmpty()) perf.addSeries(ciLow);
        chart(dir.resolve("realised_metric.png"), "Realised metric by day", "realised AUC (RMSE for regression)", perf);
        TimeSeriesCollection d = new TimeSeriesCollection();
        drift.values().forEach(d::addSeries);
        chart(dir.resolve("drift.png"), "Drift by day (PSI; above 0.25: a shift worth acting on)", "PSI", d);
        run.logArtifacts(dir, "monitoring");
    }

    private static void chart(Path file, String title, String y, TimeSeriesCollection data) throws IOException {
        JFreeChart chart = ChartFactory.createTimeSeriesChart(title, "day", y, data, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) r.setSeriesStroke(i, new BasicStroke(2f));
        plot.setRenderer(r);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 500);
    }
}
