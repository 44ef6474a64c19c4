package dev.treeline.features.validate;

import java.util.List;

/** The validation report as one self-contained HTML page for people (the JSON is for machines). */
final class ReportHtml {
    private ReportHtml() {}

    static String render(ValidationReport r) {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Validation of ").append(esc(r.dataset)).append(' ')
                .append(esc(r.logicalDate)).append("</title><style>")
                .append("body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 24px}")
                .append("th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f3f3f3}")
                .append(".pass{color:#176b2c}.warn{color:#8a5a00}.fail{color:#b00020;font-weight:bold}td.num{text-align:right}")
                .append("</style></head><body>");
        h.append("<h1>Validation of <code>").append(esc(r.dataset)).append("</code> for ").append(esc(r.logicalDate)).append("</h1>");
        h.append("<p>Status: <span class=\"").append(r.status.label()).append("\">").append(r.status.label().toUpperCase()).append("</span> · ")
                .append(String.format("%,d rows checked = %,d accepted + %,d rejected", r.rowsIn, r.rowsAccepted, r.rowsRejected))
                .append(" · days checked: ").append(r.daysChecked.isEmpty() ? "none (already validated)" : r.daysChecked.size() == 1 ? r.daysChecked.get(0)
                        : r.daysChecked.get(0) + " … " + r.daysChecked.get(r.daysChecked.size() - 1) + " (" + r.daysChecked.size() + ")")
                .append("</p>");

        h.append("<h2>Dataset rules</h2>");
        table(h, List.of("rule", "column", "day", "observed", "threshold", "severity", "status"),
                r.datasetRules.stream().map(x -> List.of(x.rule(), nz(x.column()), nz(x.day()), nz(x.observed()), nz(x.threshold()), x.severity(), x.status().label())).toList(), 6);

        h.append("<h2>Row rules</h2>");
        table(h, List.of("rule", "column", "severity", "rows breaking it", "status"),
                r.rowRules.stream().map(x -> List.of(x.rule(), nz(x.column()), x.severity(), nz(x.observed()), x.status().label())).toList(), 4);

        h.append("<h2 id=\"drift\">Drift</h2><p>Baseline: ").append(esc(nz(r.driftBaseline))).append("</p>");
        table(h, List.of("column", "kind", "PSI", "new category rate", "status", "note"),
                r.drift.stream().map(x -> List.of(x.column(), x.kind(), x.psi() == null ? "" : String.format("%.4f", x.psi()),
                        x.newCategoryRate() == null ? "" : String.format("%.4f", x.newCategoryRate()), x.status().label(), nz(x.message()))).toList(), 4);

        h.append("<h2>Columns on ").append(esc(r.logicalDate)).append("</h2>");
        table(h, List.of("column", "type", "rows", "nulls", "null ratio", "min", "max", "mean", "distinct"),
                r.columns.stream().map(c -> List.of(c.name(), c.type(), String.format("%,d", c.rows()), String.format("%,d", c.nulls()),
                        String.format("%.4f", c.nullRatio()), nz(c.min()), nz(c.max()), c.mean() == null ? "" : String.format("%.4f", c.mean()),
                        c.distinct() == null ? "" : String.format("%,d", c.distinct()))).toList(), -1);
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void table(StringBuilder h, List<String> head, List<List<String>> rows, int statusColumn) {
        if (rows.isEmpty()) {
            h.append("<p><em>none</em></p>");
            return;
        }
        h.append("<table><tr>");
        for (String c : head) h.append("<th>").append(esc(c)).append("</th>");
        h.append("</tr>");
        for (List<String> row : rows) {
            h.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                String v = row.get(i);
                String cls = i == statusColumn ? " class=\"" + esc(v) + "\"" : "";
                h.append("<td").append(cls).append(">").append(esc(v)).append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table>");
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    static String esc(String s) {
        if (s == null) return "";
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
