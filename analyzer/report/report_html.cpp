// The report as one self-contained HTML file: inline CSS and inline SVG
// charts, no scripts, no network, readable in print.
#include <algorithm>
#include <ctime>
#include <map>
#include <sstream>

#include "pgsift/report.h"
#include "report/report_text.h"

namespace pgsift {
namespace {

using report_text::Percent;

std::string Esc(std::string_view s) { return report_text::MarkupEscape(s); }

std::string Short(const std::string& q, size_t max) {
  std::string out;
  for (char c : q) out += (c == '\n' || c == '\t' || c == '\r') ? ' ' : c;
  return out.size() > max ? out.substr(0, max - 3) + "..." : out;
}

constexpr const char* kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;margin:2em auto;max-width:1100px;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #d5dae3;padding-bottom:.2em;margin-top:1.8em}
.meta{color:#5a6478}.warn{background:#fff4e0;border-left:4px solid #e69500;padding:.6em 1em}
table{border-collapse:collapse;width:100%;margin:.6em 0}th,td{border-bottom:1px solid #e3e7ee;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f3f5f9;font-weight:600}td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
code{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.up{color:#b3261e;font-weight:600}.down{color:#1e7b34}.new{color:#3056d3;font-weight:600}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #d5dae3;border-radius:6px;padding:.6em 1em;min-width:10em}
.card b{display:block;font-size:1.3em}svg{max-width:100%;height:auto}svg text{font:11px sans-serif;fill:#1d2433}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,svg{break-inside:avoid}a{color:inherit}}
)";

void Trend(std::ostringstream& out, const ReportQuery& q) {
  std::string change = FormatChange(q.before_mean_ms, q.mean_ms);
  const char* cls = q.trend == "regressed" ? "up" : q.trend == "faster" ? "down" : q.trend == "new" ? "new" : "";
  out << "<td class=\"n " << cls << "\">" << Esc(change) << (q.reset ? " (reset)" : "") << "</td>";
}

void QueryTable(std::ostringstream& out, const std::vector<ReportQuery>& rows, bool baseline) {
  out << "<table><tr><th>#</th><th>Query</th><th>Calls</th><th>Total</th><th>Mean</th>"
      << (baseline ? "<th>Baseline mean</th><th>Change</th>" : "<th>Share</th>") << "</tr>\n";
  int n = 0;
  for (const ReportQuery& q : rows) {
    out << "<tr><td class=\"n\">" << ++n << "</td><td><code>" << Esc(Short(q.query, 400))
        << "</code></td><td class=\"n\">" << q.calls << "</td><td class=\"n\">" << FormatMs(q.total_ms)
        << "</td><td class=\"n\">" << FormatMs(q.mean_ms) << "</td>";
    if (baseline) {
      out << "<td class=\"n\">" << (q.before_calls > 0 ? FormatMs(q.before_mean_ms) : "-") << "</td>";
      Trend(out, q);
    } else {
      out << "<td class=\"n\">" << (q.trend == "vanished" ? "-" : Percent(q.share)) << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</table>\n";
}

// Horizontal bars: total time of the top queries.
void TopChart(std::ostringstream& out, const std::vector<ReportQuery>& rows) {
  size_t n = std::min<size_t>(rows.size(), 10);
  if (n == 0) return;
  double max = 0;
  for (size_t i = 0; i < n; ++i) max = std::max(max, rows[i].total_ms);
  int h = static_cast<int>(n) * 22 + 10;
  out << "<svg class=\"chart\" id=\"chart-top\" role=\"img\" aria-label=\"Total time of the top queries\" "
         "viewBox=\"0 0 900 "
      << h << "\" width=\"900\" height=\"" << h << "\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  for (size_t i = 0; i < n; ++i) {
    const ReportQuery& q = rows[i];
    int y = static_cast<int>(i) * 22 + 5;
    int w = max > 0 ? static_cast<int>(q.total_ms / max * 560) : 0;
    const char* color = q.trend == "regressed" ? "#d9534f" : q.trend == "new" ? "#3056d3" : "#6c8ebf";
    out << "<text x=\"0\" y=\"" << y + 14 << "\">" << Esc(Short(q.query, 40)) << "</text>"
        << "<rect x=\"280\" y=\"" << y << "\" width=\"" << std::max(w, 1) << "\" height=\"16\" fill=\"" << color
        << "\"><title>" << Esc(FormatMs(q.total_ms)) << "</title></rect>"
        << "<text x=\"" << 286 + w << "\" y=\"" << y + 13 << "\">" << Esc(FormatMs(q.total_ms)) << "</text>\n";
  }
  out << "</svg>\n";
}

// Day x hour heat map of execution time (UTC), from the logs.
void LoadChart(std::ostringstream& out, const std::map<int64_t, Breakdown>& load) {
  std::map<std::string, std::map<int, double>> grid;
  double max = 0;
  for (const auto& [secs, b] : load) {
    std::time_t t = secs;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char day[32];
    strftime(day, sizeof day, "%Y-%m-%d %a", &tm);
    grid[day][tm.tm_hour] += b.total_ms;
    max = std::max(max, grid[day][tm.tm_hour]);
  }
  int rows = static_cast<int>(grid.size());
  int h = rows * 20 + 30;
  out << "<svg class=\"chart\" id=\"chart-load\" role=\"img\" aria-label=\"Execution time by day and hour (UTC)\" "
         "viewBox=\"0 0 900 "
      << h << "\" width=\"900\" height=\"" << h << "\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  for (int hour = 0; hour < 24; hour += 3) {
    out << "<text x=\"" << 120 + hour * 32 << "\" y=\"12\">" << hour << "h</text>";
  }
  int r = 0;
  for (const auto& [day, hours] : grid) {
    int y = 18 + r++ * 20;
    out << "\n<text x=\"0\" y=\"" << y + 13 << "\">" << day << "</text>";
    for (int hour = 0; hour < 24; ++hour) {
      auto it = hours.find(hour);
      double v = it == hours.end() ? 0 : it->second;
      double a = max > 0 ? v / max : 0;
      char fill[64];
      snprintf(fill, sizeof fill, "rgba(48,86,211,%.3f)", v > 0 ? 0.08 + 0.92 * a : 0.0);
      out << "<rect x=\"" << 120 + hour * 32 << "\" y=\"" << y << "\" width=\"30\" height=\"18\" fill=\"" << fill
          << "\" stroke=\"#e3e7ee\"><title>" << day << " " << hour << ":00 " << Esc(FormatMs(v)) << "</title></rect>";
    }
  }
  out << "\n</svg>\n";
}

}  // namespace

std::string RenderReportHtml(const Report& r) {
  std::ostringstream out;
  std::string db = r.database.empty() ? "(unnamed database)" : r.database;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
         "<title>pgsift weekly report: "
      << Esc(db) << "</title><style>" << kStyle << "</style></head><body>\n";
  out << "<h1>pgsift weekly report: " << Esc(db) << "</h1>\n<p class=\"meta\">Window " << Esc(r.from_at) << " to "
      << Esc(r.to_at) << (r.server_version.empty() ? "" : " &middot; PostgreSQL " + Esc(r.server_version))
      << " &middot; baseline: "
      << (r.baseline == "previous" ? "previous window" : "all counters up to the start of the window") << "</p>\n";
  if (r.reset) {
    out << "<p class=\"warn\"><b>Statistics were reset in this window</b> (" << Esc(r.reset_reason)
        << "). Entries that were reset are counted from zero.</p>\n";
  }
  double mean_now = r.window.calls ? r.window.exec_ms / static_cast<double>(r.window.calls) : 0;
  double mean_before = r.before.calls ? r.before.exec_ms / static_cast<double>(r.before.calls) : 0;
  bool wow = r.baseline == "previous";
  out << "<h2>Headline</h2>\n<div class=\"cards\">"
      << "<div class=\"card\">Total execution time<b>" << FormatMs(r.window.exec_ms) << "</b>"
      << (wow ? FormatChange(r.before.exec_ms, r.window.exec_ms) + " vs previous" : "") << "</div>"
      << "<div class=\"card\">Calls<b>" << r.window.calls << "</b>"
      << (wow ? FormatChange(static_cast<double>(r.before.calls), static_cast<double>(r.window.calls)) + " vs previous"
              : "")
      << "</div>"
      << "<div class=\"card\">Mean per call<b>" << FormatMs(mean_now) << "</b>" << FormatChange(mean_before, mean_now)
      << " vs baseline</div>"
      << "<div class=\"card\">Cache hit ratio<b>" << Percent(r.window.hit_ratio) << "</b>baseline "
      << Percent(r.before.hit_ratio) << "</div>"
      << (r.size_to_bytes > 0
              ? "<div class=\"card\">Database size<b>" + FormatBytes(r.size_to_bytes) + "</b>" +
                    FormatChange(static_cast<double>(r.size_from_bytes), static_cast<double>(r.size_to_bytes)) +
                    " vs start</div>"
              : std::string())
      << "<div class=\"card\">Errors<b>" << (r.has_logs ? std::to_string(r.log_errors) : "-") << "</b>"
      << (!r.has_logs ? std::string("no --logs")
          : r.before_log_errors >= 0
              ? "previous window " + std::to_string(r.before_log_errors) + " (" +
                    FormatChange(static_cast<double>(r.before_log_errors), static_cast<double>(r.log_errors)) + ")"
              : std::string("from logs"))
      << "</div></div>\n";

  out << "<h2>Top queries by total time</h2>\n";
  if (r.top.empty()) {
    out << "<p>No query ran in this window.</p>\n";
  } else {
    TopChart(out, r.top);
    QueryTable(out, r.top, true);
  }
  out << "<h2>Regressions</h2>\n<p class=\"meta\">Mean time up by at least "
      << static_cast<int>(r.options.regress_rel * 100) << "% and " << FormatMs(r.options.regress_abs_ms)
      << ", with at least " << r.options.min_calls << " calls in both periods.</p>\n";
  if (r.regressions.empty())
    out << "<p>None.</p>\n";
  else
    QueryTable(out, r.regressions, true);
  out << "<h2>New queries</h2>\n";
  if (r.new_queries.empty())
    out << "<p>None.</p>\n";
  else
    QueryTable(out, r.new_queries, false);
  out << "<h2>Vanished queries</h2>\n";
  if (r.vanished_unknown) {
    out << "<p>Not known: statistics were reset in this window, so a query not run since the reset cannot be told from "
           "one that vanished.</p>\n";
  } else if (r.vanished.empty()) {
    out << "<p>None.</p>\n";
  } else {
    QueryTable(out, r.vanished, false);
  }

  out << "<h2>Load by day and hour (UTC)</h2>\n";
  if (!r.has_logs)
    out << "<p>Not available: pg_stat_statements has no time of day. Pass <code>--logs</code>.</p>\n";
  else if (r.load_by_hour.empty())
    out << "<p>The logs had no timed statements.</p>\n";
  else
    LoadChart(out, r.load_by_hour);

  out << "<h2>Latency SLOs by journey</h2>\n";
  if (!r.journeys_configured) {
    out << "<p>No journeys configured: map application_name values or sqlcommenter tags to journeys in "
           "<code>.pgsift.toml</code>.</p>\n";
  } else if (!r.has_logs) {
    out << "<p>Not measured: journeys are measured on server logs. Pass <code>--logs</code>.</p>\n";
  } else {
    out << "<table><tr><th>Journey</th><th>Matches</th><th>Calls</th><th>Objective</th><th>Measured</th>"
           "<th>Target</th><th>Over target</th><th>Budget burned</th><th>Status</th></tr>\n";
    for (const JourneyResult& j : r.journeys) {
      char objective[32];
      snprintf(objective, sizeof objective, "p%g", j.spec.objective * 100);
      std::string status = JourneyStatus(j);
      out << "<tr><td>" << Esc(j.spec.name) << "</td><td>" << Esc(JourneyMatch(j.spec)) << "</td><td class=\"n\">"
          << j.calls << "</td><td class=\"n\">" << objective << "</td><td class=\"n\">"
          << (j.calls ? FormatMs(j.p95_ms) : "-") << "</td><td class=\"n\">" << FormatMs(j.spec.target_ms)
          << "</td><td class=\"n\">" << j.over << "</td><td class=\"n\">"
          << (j.calls ? Percent(j.budget_burned()) : "-") << "</td><td class=\"" << (status == "missed" ? "up" : "")
          << "\">" << status << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  out << "<h2>Findings</h2>\n";
  if (r.findings.empty())
    out << "<p>" << r.rules_run << " rules ran; no findings.</p>\n";
  else
    out << "<pre><code>" << Esc(RenderFindingsText(r.findings)) << "</code></pre>\n";
  if (!r.has_logs) out << "<p>" << Esc(kLogRulesNotRun) << " Pass <code>--logs</code>.</p>\n";

  out << "<h2>Unused indexes</h2>\n";
  if (r.unused_indexes.empty()) {
    out << "<p>None.</p>\n";
  } else {
    out << "<table><tr><th>Index</th><th>Table</th><th>Size</th></tr>\n";
    for (const ReportIndex& x : r.unused_indexes) {
      out << "<tr><td>" << Esc(x.schema + "." + x.name) << "</td><td>" << Esc(x.table) << "</td><td class=\"n\">"
          << FormatBytes(x.size_bytes) << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  out << "<h2>Duplicate indexes</h2>\n";
  if (r.duplicate_indexes.empty()) {
    out << "<p>None.</p>\n";
  } else {
    out << "<table><tr><th>Table</th><th>Keep</th><th>Drop</th><th>Size of the rest</th></tr>\n";
    for (const auto& group : r.duplicate_indexes) {
      std::string drop;
      int64_t bytes = 0;
      for (size_t i = 1; i < group.size(); ++i) {
        drop += (i > 1 ? ", " : "") + group[i].schema + "." + group[i].name;
        bytes += group[i].size_bytes;
      }
      out << "<tr><td>" << Esc(group[0].table) << "</td><td>" << Esc(group[0].schema + "." + group[0].name)
          << "</td><td>" << Esc(drop) << "</td><td class=\"n\">" << FormatBytes(bytes) << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  out << "<p class=\"meta\">Generated by pgsift. Queries are normalized: no literal values are shown.</p>\n"
         "</body></html>\n";
  return out.str();
}

}  // namespace pgsift
