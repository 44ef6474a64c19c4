package dev.treeline.training.evaluate;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The evaluation's PNG charts (JFreeChart, drawn headless): ROC, precision-recall, calibration, importance, SHAP; and the tuning report's. */
public final class EvaluationPlots {
    static final int WIDTH = 800;
    static final int HEIGHT = 600;
    static final int TOP_FEATURES = 20;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private EvaluationPlots() {}

    /** A named curve: points as {x, y}. */
    public record Curve(String name, List<double[]> points) {}

    /** Plain lines, one per curve. */
    public static void lines(Path file, String title, String x, String y, List<Curve> curves) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Curve c : curves) {
            XYSeries s = new XYSeries(c.name(), false);
            for (double[] p : c.points()) s.add(p[0], p[1]);
            data.addSeries(s);
        }
        line(file, title, x, y, data, false);
    }

    static void roc(Path file, List<Curve> curves) throws IOException {
        XYSeriesCollection data = collection(curves);
        data.addSeries(diagonal("chance"));
        line(file, "ROC (holdout)", "false positive rate", "true positive rate", data, true);
    }

    static void precisionRecall(Path file, List<Curve> curves) throws IOException {
        line(file, "Precision-recall (holdout)", "recall", "precision", collection(curves), false);
    }

    static void calibration(Path file, List<Curve> curves) throws IOException {
        XYSeriesCollection data = collection(curves);
        data.addSeries(diagonal("perfectly calibrated"));
        JFreeChart chart = lineChart("Calibration (holdout, 10 score ranges)", "mean predicted probability", "observed positive rate", data, true);
        XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) chart.getXYPlot().getRenderer();
        for (int i = 0; i < curves.size(); i++) r.setSeriesShapesVisible(i, true);
        save(file, chart);
    }

    /** Horizontal bars of the largest values, largest on top. */
    public static void bars(Path file, String title, String valueLabel, Map<String, Double> values) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        values.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(TOP_FEATURES)
                .forEach(e -> data.addValue(e.getValue(), valueLabel, e.getKey()));
        JFreeChart chart = ChartFactory.createBarChart(title, null, valueLabel, data, PlotOrientation.HORIZONTAL, false, false, false);
        chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
        save(file, chart);
    }

    private static void line(Path file, String title, String x, String y, XYSeriesCollection data, boolean lastIsReference) throws IOException {
        save(file, lineChart(title, x, y, data, lastIsReference));
    }

    private static JFreeChart lineChart(String title, String x, String y, XYSeriesCollection data, boolean lastIsReference) {
        JFreeChart chart = ChartFactory.createXYLineChart(title, x, y, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        for (NumberAxis a : List.of((NumberAxis) plot.getDomainAxis(), (NumberAxis) plot.getRangeAxis())) a.setRange(0, 1);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < data.getSeriesCount(); i++) r.setSeriesStroke(i, new BasicStroke(2f));
        if (lastIsReference) {
            int ref = data.getSeriesCount() - 1;
            r.setSeriesPaint(ref, Color.GRAY);
            r.setSeriesStroke(ref, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 6f}, 0f));
        }
        plot.setRenderer(r);
        return chart;
    }

    private static XYSeriesCollection collection(List<Curve> curves) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Curve c : curves) {
            XYSeries s = new XYSeries(c.name(), false, true);
            for (double[] p : thin(c.points())) s.add(p[0], p[1]);
            data.addSeries(s);
        }
        return data;
    }

    /** At most about 1,000 points per curve: enough for the eye, small PNG rendering cost. */
    private static List<double[]> thin(List<double[]> points) {
        int step = Math.max(1, points.size() / 1000);
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < points.size(); i += step) out.add(points.get(i));
        if (!points.isEmpty() && out.get(out.size() - 1) != points.get(points.size() - 1)) out.add(points.get(points.size() - 1));
        return out;
    }

    private static XYSeries diagonal(String name) {
        XYSeries s = new XYSeries(name);
        s.add(0, 0);
        s.add(1, 1);
        return s;
    }

    private static void save(Path file, JFreeChart chart) throws IOException {
        chart.setBackgroundPaint(Color.WHITE);
        Files.createDirectories(file.getParent());
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }
}
