#include "html_parts.h"

#include <algorithm>
#include <cstdio>

#include "report_text.h"

namespace pgsift::html_parts {

const char* const kBaseStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;margin:2em auto;max-width:1100px;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #d5dae3;padding-bottom:.2em;margin-top:1.8em}
.meta{color:#5a6478}.warn{background:#fff4e0;border-left:4px solid #e69500;padding:.6em 1em}
table{border-collapse:collapse;width:100%;margin:.6em 0}th,td{border-bottom:1px solid #e3e7ee;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f3f5f9;font-weight:600}td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
code{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.up{color:#b3261e;font-weight:600}.down{color:#1e7b34}.new{color:#3056d3;font-weight:600}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #d5dae3;border-radius:6px;padding:.6em 1em;min-width:10em}
.card b{display:block;font-size:1.3em}svg{max-width:100%;height:auto}svg text{font:11px sans-serif;fill:#1d2433}
.finding{border:1px solid #d5dae3;border-left:5px solid #6c8ebf;border-radius:6px;padding:.5em 1em;margin:.8em 0}
.finding.warning{border-left-color:#e69500}.finding.error{border-left-color:#b3261e}
.sev{font-size:.8em;text-transform:uppercase;font-weight:600;letter-spacing:.04em;margin-right:.6em}
.finding dl{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:.4em 0}.finding dt{color:#5a6478}.finding dd{margin:0}
pre.sql{white-space:pre-wrap;background:#f3f5f9;padding:.6em;border-radius:4px;margin:.4em 0}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,svg{break-inside:avoid}a{color:inherit}}
)";

const char* const kNavStyle =
    "nav.top{position:sticky;top:0;background:#fff;border-bottom:1px solid #d5dae3;padding:.4em 0;z-index:1;"
    "display:flex;flex-wrap:wrap;gap:.2em .9em;font-size:.92em}nav.top a{color:#3056d3;text-decoration:none}"
    "h2{scroll-margin-top:3em}@media print{nav.top{display:none}}";

std::string Esc(std::string_view s) { return report_text::MarkupEscape(s); }

void WriteFindingCard(std::ostream& out, const FindingCard& f) {
  out << "<div class=\"finding " << Esc(f.severity) << "\"" << (f.anchor.empty() ? "" : " id=\"" + Esc(f.anchor) + "\"")
      << "><span class=\"sev\">" << Esc(f.severity) << "</span><code class=\"rule\">" << Esc(f.rule)
      << "</code><p><b>" << Esc(f.message) << "</b></p>\n";
  if (f.facts != nullptr && !f.facts->empty()) {
    out << "<dl class=\"evidence\">";
    for (const auto& [k, v] : *f.facts) out << "<dt>" << Esc(k) << "</dt><dd>" << Esc(v) << "</dd>";
    out << "</dl>\n";
  }
  if (!f.help.empty()) out << "<p class=\"help\">" << Esc(f.help) << "</p>\n";
  if (!f.fix.empty()) out << "<p>Fix:</p><pre class=\"sql fix\"><code>" << Esc(f.fix) << "</code></pre>\n";
  if (!f.query_href.empty()) out << "<p><a href=\"" << Esc(f.query_href) << "\">The query</a></p>\n";
  out << "</div>\n";
}

namespace {

constexpr int kWidth = 900, kLeft = 70, kRight = 10, kBottom = 22;

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

void Chart(std::ostream& out, std::string_view id, std::string_view label, const Axis& axis,
           const std::vector<Series>& series, ChartKind kind, std::string (*format)(double)) {
  const size_t n = axis.x.size();
  if (n == 0 || series.empty()) return;
  const bool legend = series.size() > 1;
  const int top = legend ? 34 : 20, plot_h = 130, height = top + plot_h + kBottom;
  const int plot_w = kWidth - kLeft - kRight;
  double max = 0;
  for (const Series& s : series) {
    for (double v : s.values) max = std::max(max, v);
  }
  const double ymax = max > 0 ? max : 1;
  const double x0 = static_cast<double>(axis.x.front());
  const double span = static_cast<double>(axis.x.back() + axis.width) - x0;
  auto px = [&](size_t i) { return kLeft + (static_cast<double>(axis.x[i]) - x0) / span * plot_w; };
  auto py = [&](double v) { return top + plot_h - v / ymax * plot_h; };
  const double slot = static_cast<double>(axis.width) / span * plot_w;
  const double bar_w = std::max(1.0, slot * (slot > 4 ? 0.8 : 1.0));
  out << "<svg class=\"chart\" id=\"" << Esc(id) << "\" role=\"img\" aria-label=\"" << Esc(label)
      << "\" viewBox=\"0 0 " << kWidth << " " << height << "\" width=\"" << kWidth << "\" height=\"" << height
      << "\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  // Scale: 0, half and the maximum.
  for (double f : {0.0, 0.5, 1.0}) {
    double y = py(ymax * f);
    out << "<line x1=\"" << kLeft << "\" x2=\"" << kWidth - kRight << "\" y1=\"" << Num(y) << "\" y2=\"" << Num(y)
        << "\" stroke=\"#e3e7ee\"/><text x=\"" << kLeft - 4 << "\" y=\"" << Num(y + 4)
        << "\" text-anchor=\"end\">" << Esc(format(max > 0 ? ymax * f : 0)) << "</text>\n";
  }
  if (legend) {
    int lx = kLeft;
    for (const Series& s : series) {
      out << "<rect class=\"legend\" x=\"" << lx << "\" y=\"4\" width=\"12\" height=\"12\" fill=\"" << s.color
          << "\"/><text x=\"" << lx + 16 << "\" y=\"14\">" << Esc(s.name) << "</text>";
      lx += 28 + static_cast<int>(s.name.size()) * 7;
    }
    out << "\n";
  }
  for (const Series& s : series) {
    if (kind == ChartKind::kBars) {
      for (size_t i = 0; i < n && i < s.values.size(); ++i) {
        if (s.values[i] <= 0) continue;
        double y = py(s.values[i]);
        out << "<rect x=\"" << Num(px(i) + (slot - bar_w) / 2) << "\" y=\"" << Num(y) << "\" width=\"" << Num(bar_w)
            << "\" height=\"" << Num(std::max(1.0, top + plot_h - y)) << "\" fill=\"" << s.color << "\"><title>"
            << Esc(axis.labels[i]) << " " << Esc(s.name) << ": " << Esc(format(s.values[i])) << "</title></rect>";
      }
    } else {
      out << "<polyline fill=\"none\" stroke=\"" << s.color << "\" stroke-width=\"2\" points=\"";
      for (size_t i = 0; i < n && i < s.values.size(); ++i) {
        out << (i ? " " : "") << Num(px(i) + slot / 2) << "," << Num(py(s.values[i]));
      }
      out << "\"/>";
      for (size_t i = 0; n <= 60 && i < n && i < s.values.size(); ++i) {
        out << "<circle cx=\"" << Num(px(i) + slot / 2) << "\" cy=\"" << Num(py(s.values[i]))
            << "\" r=\"3\" fill=\"" << s.color << "\"><title>" << Esc(axis.labels[i]) << " " << Esc(s.name) << ": "
            << Esc(format(s.values[i])) << "</title></circle>";
      }
    }
    out << "\n";
  }
  // The peak of the first series, named, so it is seen at a glance.
  const std::vector<double>& first = series.front().values;
  size_t peak = static_cast<size_t>(std::max_element(first.begin(), first.end()) - first.begin());
  if (peak < n && peak < first.size() && first[peak] > 0) {
    double x = std::clamp(px(peak) + slot / 2, kLeft + 60.0, kWidth - kRight - 60.0);
    out << "<text class=\"peak\" x=\"" << Num(x) << "\" y=\"" << Num(std::max(py(first[peak]) - 4, top - 6.0))
        << "\" text-anchor=\"middle\">peak " << Esc(axis.labels[peak]) << ": " << Esc(format(first[peak]))
        << "</text>\n";
  }
  // X labels: all of up to 16 points, else the first, middle and last.
  for (size_t i = 0; i < n; ++i) {
    if (n > 16 && i != 0 && i != n - 1 && i != n / 2) continue;
    const char* anchor = n > 16 && i == n - 1 ? "end" : n > 16 && i == 0 ? "start" : "middle";
    double x = n > 16 && i == 0 ? px(i) : n > 16 && i == n - 1 ? px(i) + slot : px(i) + slot / 2;
    out << "<text x=\"" << Num(x) << "\" y=\"" << height - 6 << "\" text-anchor=\"" << anchor << "\">"
        << Esc(axis.labels[i]) << "</text>";
  }
  out << "\n</svg>\n";
}

void HorizontalBars(std::ostream& out, std::string_view id, std::string_view label, const std::vector<Bar>& bars,
                    const std::vector<std::pair<std::string, std::string>>& legend, std::string (*format)(double)) {
  if (bars.empty()) return;
  double max = 0;
  for (const Bar& b : bars) max = std::max(max, b.value);
  const int top = legend.empty() ? 5 : 26, label_w = 400, bar_max = kWidth - label_w - 90;
  const int h = top + static_cast<int>(bars.size()) * 22 + 5;
  out << "<svg class=\"chart\" id=\"" << Esc(id) << "\" role=\"img\" aria-label=\"" << Esc(label)
      << "\" viewBox=\"0 0 " << kWidth << " " << h << "\" width=\"" << kWidth << "\" height=\"" << h
      << "\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  int lx = 0;
  for (const auto& [color, meaning] : legend) {
    out << "<rect class=\"legend\" x=\"" << lx << "\" y=\"4\" width=\"12\" height=\"12\" fill=\"" << Esc(color)
        << "\"/><text x=\"" << lx + 16 << "\" y=\"14\">" << Esc(meaning) << "</text>";
    lx += 28 + static_cast<int>(meaning.size()) * 7;
  }
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    int y = top + static_cast<int>(i) * 22;
    int w = max > 0 ? static_cast<int>(b.value / max * bar_max) : 0;
    std::string shown = report_text::OneLine(b.label, 60);
    std::string full = report_text::OneLine(b.full.empty() ? b.label : b.full, 2000);
    out << "<text x=\"0\" y=\"" << y + 14 << "\"><title>" << Esc(full) << "</title>" << Esc(shown) << "</text>"
        << "<rect x=\"" << label_w << "\" y=\"" << y << "\" width=\"" << std::max(w, 1) << "\" height=\"16\" fill=\""
        << Esc(b.color) << "\"><title>" << Esc(full) << ": " << Esc(format(b.value)) << "</title></rect><text x=\""
        << label_w + 6 + w << "\" y=\"" << y + 13 << "\">" << Esc(format(b.value)) << "</text>\n";
  }
  out << "</svg>\n";
}

}  // namespace pgsift::html_parts
