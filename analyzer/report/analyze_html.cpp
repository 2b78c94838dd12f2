// The analyze HTML report: one self-contained file (inline CSS, inline SVG,
// one small inline script allowed by its hash in the page's
// Content-Security-Policy; no network). Everything is in the page with
// JavaScript off: the script only sorts the top-queries table and opens a
// linked drill-down.
#include <ctime>

#include "analyze_html_parts.h"
#include "html_parts.h"
#include "pgsift/format.h"
#include "report_text.h"

namespace pgsift {
namespace analyze_html {

using html_parts::Axis;
using html_parts::Chart;
using html_parts::ChartKind;
using html_parts::Esc;
using html_parts::Series;

std::string Int(uint64_t n) { return report_text::Thousands(n); }
std::string Ms(double ms) { return FormatMs(ms); }
std::string Bytes(double b) { return FormatBytes(static_cast<int64_t>(b)); }
std::string Count(double n) { return Int(static_cast<uint64_t>(n + 0.5)); }

std::string TimeLabel(int64_t start, int64_t step) {
  std::time_t t = start;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, step < 60 ? "%H:%M:%S" : step < 86400 ? "%m-%d %H:%M" : "%Y-%m-%d", &tm);
  return buf;
}

void CountTable(std::ostream& out, const char* title, const char* what, const std::vector<HtmlCount>& rows,
                bool times) {
  if (rows.empty()) return;
  out << "<table class=\"small\"><thead><tr><th>" << title << "</th><th class=\"n\">" << what << "</th>"
      << (times ? "<th class=\"n\">Time</th>" : "") << "</tr></thead><tbody>\n";
  for (const HtmlCount& c : rows) {
    out << "<tr><td>" << (c.name.empty() ? "<span class=\"na\">(none)</span>" : Esc(c.name)) << "</td><td class=\"n\">"
        << Int(c.count) << "</td>" << (times ? "<td class=\"n\">" + Ms(c.total_ms) + "</td>" : "") << "</tr>\n";
  }
  out << "</tbody></table>\n";
}

namespace {

constexpr const char* kStyle = R"(
body.analyze{max-width:none;margin:0;padding:0;display:flex;align-items:flex-start}
nav.side{position:sticky;top:0;height:100vh;overflow:auto;width:11em;flex:none;background:#f3f5f9;border-right:1px solid #d5dae3;padding:1em .6em;box-sizing:border-box}
nav.side b{display:block;margin-bottom:.6em}nav.side a{display:block;color:#1d2433;text-decoration:none;padding:.25em .4em;border-radius:4px}
nav.side a:hover{background:#e3e7ee}main{flex:1;min-width:0;padding:.5em 2em 2em;max-width:1250px}
section{scroll-margin-top:1em}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(16em,1fr));gap:0 1.5em}
table.small{font-size:.92em}th[data-key]{cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=descending]::after{content:" \25BC"}th[aria-sort=ascending]::after{content:" \25B2"}
details.query{border:1px solid #e3e7ee;border-radius:6px;margin:.5em 0;padding:.3em .8em}details.query summary{cursor:pointer}
details.query[open]{background:#fbfcfe}pre.plan{background:#f3f5f9;padding:.6em;border-radius:4px;overflow:auto;font-size:.85em;margin:.3em 0}
.na{color:#5a6478;font-style:italic}text.peak{font-weight:600;fill:#b3261e}
@media (max-width:900px){body.analyze{display:block}nav.side{position:static;height:auto;width:auto}}
@media print{nav.side{display:none}body.analyze{display:block}main{max-width:none;padding:0}details.query{break-inside:avoid}}
)";

// Sorts the top-queries table by a clicked header (or #sort=KEY in the
// address), opens the drill-down an address names, and every drill-down
// before printing. Its SHA-256 is in kScriptHash: change both together
// (tests/integration/analyze_html_chromium.sh fails on a mismatch: the
// browser refuses the script and says so on the console).
constexpr const char* kScript =
    R"JS((function(){
function sort(th){var t=th.closest('table'),i=th.cellIndex,desc=th.getAttribute('aria-sort')!=='descending';
t.querySelectorAll('th').forEach(function(o){o.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',desc?'descending':'ascending');
var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows);
rows.sort(function(x,y){var a=+x.cells[i].dataset.v,c=+y.cells[i].dataset.v;return desc?c-a:a-c;});
rows.forEach(function(r){b.appendChild(r);});}
document.querySelectorAll('table.sortable th[data-key]').forEach(function(th){th.tabIndex=0;
th.addEventListener('click',function(){sort(th);});
th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();sort(th);}});});
function go(){var h=decodeURIComponent(location.hash.slice(1)),m=/^sort=([a-z]+)$/.exec(h);
if(m){var th=document.querySelector('table.sortable th[data-key="'+m[1]+'"]');
if(th&&th.getAttribute('aria-sort')!=='descending')th.click();return;}
var d=h&&document.getElementById(h);if(d&&d.tagName==='DETAILS')d.open=true;}
window.addEventListener('hashchange',go);go();
window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=true;});});
})();)JS";
constexpr const char* kScriptHash = "sha256-qkwbfGcg413qRT9Dl/t7XZTZmlhms+Bj8xg5LpuLXjs=";

struct Nav {
  const char* id;
  const char* title;
};
constexpr Nav kSections[] = {{"overview", "Overview"}, {"over-time", "Over time"},     {"queries", "Top queries"},
                             {"errors", "Errors"},     {"findings", "Findings"},       {"sessions", "Sessions"},
                             {"locks", "Locks"},       {"vacuum", "Vacuum"},           {"missing", "Not shown yet"}};

// "second", "10 seconds", "minute", "10 minutes", "hour", "day".
std::string StepName(int64_t step) {
  if (step < 60) return step == 1 ? "second" : std::to_string(step) + " seconds";
  if (step < 3600) return step == 60 ? "minute" : std::to_string(step / 60) + " minutes";
  return step < 86400 ? "hour" : "day";
}

void Card(std::ostream& out, const std::string& title, const std::string& value, const std::string& note = "") {
  out << "<div class=\"card\">" << Esc(title) << "<b>" << Esc(value) << "</b>" << Esc(note) << "</div>";
}

void Overview(std::ostream& out, const HtmlModel& m) {
  out << "<section id=\"overview\"><h2>Overview</h2>\n<div class=\"cards\">";
  Card(out, "Queries", Int(m.calls), Int(m.shapes) + " distinct shapes");
  Card(out, "Total time", Ms(m.total_ms), "mean " + Ms(m.mean_ms));
  Card(out, "Latency p95", Ms(m.p95_ms), "p50 " + Ms(m.p50_ms) + ", p99 " + Ms(m.p99_ms));
  Card(out, "Errors", Int(m.errors),
       (m.cancelled ? Int(m.cancelled) + " cancelled" : "") + (m.cancelled && m.deadlocks ? ", " : "") +
           (m.deadlocks ? Int(m.deadlocks) + " deadlocks" : ""));
  Card(out, "Sessions", Int(m.sessions), Int(m.connections) + " connections");
  if (m.busiest_seconds > 0) {
    Card(out, "Busiest " + StepName(m.busiest_seconds), TimeLabel(m.busiest_start, m.busiest_seconds),
         Int(m.busiest_calls) + " queries");
  }
  Card(out, "Temp files", Int(m.temp_files), Bytes(static_cast<double>(m.temp_bytes)));
  Card(out, "Checkpoints", Int(m.checkpoints), "");
  Card(out, "Autovacuum", Int(m.autovacuum), Int(m.autoanalyze) + " autoanalyze");
  Card(out, "Lock waits", Int(m.lock_waits), "");
  out << "</div>\n<h3>Latency of all statements</h3>\n";
  if (m.latency.empty()) {
    out << "<p class=\"na\">No statement durations in this log (log_min_duration_statement or log_duration is "
           "off).</p>\n";
  } else {
    Axis axis;
    Series s{"statements", "#3056d3", {}};
    for (size_t i = 0; i < m.latency.size(); ++i) {
      axis.x.push_back(static_cast<int64_t>(i));
      axis.labels.push_back(m.latency[i].upper_ms < 0 ? "longer" : "\u2264 " + Ms(m.latency[i].upper_ms));
      s.values.push_back(static_cast<double>(m.latency[i].count));
    }
    Chart(out, "chart-latency-histogram", "Statements by duration", axis, {s}, ChartKind::kBars, Count);
  }
  out << "<h3>Queries by type</h3>\n";
  if (!m.queries_by_type.empty()) {
    Axis axis;
    Series calls{"queries", "#3056d3", {}};
    for (size_t i = 0; i < m.queries_by_type.size(); ++i) {
      axis.x.push_back(static_cast<int64_t>(i));
      axis.labels.push_back(m.queries_by_type[i].name);
      calls.values.push_back(static_cast<double>(m.queries_by_type[i].count));
    }
    Chart(out, "chart-query-types", "Queries by type", axis, {calls}, ChartKind::kBars, Count);
  }
  out << "<div class=\"grid\">";
  CountTable(out, "Type", "Queries", m.queries_by_type, true);
  CountTable(out, "Database", "Queries", m.by_database, true);
  CountTable(out, "User", "Queries", m.by_user, true);
  CountTable(out, "Application", "Queries", m.by_application, true);
  out << "</div></section>\n";
}

void OverTime(std::ostream& out, const HtmlModel& m) {
  out << "<section id=\"over-time\"><h2>Over time</h2>\n";
  if (m.timeline.empty()) {
    out << "<p class=\"na\">No timed records.</p></section>\n";
    return;
  }
  const int64_t step = m.step_seconds;
  out << "<p class=\"meta\">One bar per " << StepName(step) << " (UTC); only intervals with records are drawn. Hover a bar for its values.</p>\n";
  Axis axis;
  axis.width = step;
  for (const HtmlBucket& b : m.timeline) {
    axis.x.push_back(b.start);
    axis.labels.push_back(TimeLabel(b.start, step));
  }
  auto series = [&](const char* name, const char* color, auto get) {
    Series s{name, color, {}};
    for (const HtmlBucket& b : m.timeline) s.values.push_back(static_cast<double>(get(b)));
    return s;
  };
  auto any = [](const std::vector<Series>& v) {
    for (const Series& s : v) {
      for (double x : s.values) {
        if (x > 0) return true;
      }
    }
    return false;
  };
  struct Plot {
    const char* id;
    const char* title;
    std::vector<Series> series;
    ChartKind kind;
    std::string (*format)(double);
    const char* none;
  };
  const Plot plots[] = {
      {"chart-queries", "Queries", {series("queries", "#3056d3", [](const HtmlBucket& b) { return b.calls; })},
       ChartKind::kBars, Count, "No statements."},
      {"chart-latency", "Latency percentiles",
       {series("p99", "#b3261e", [](const HtmlBucket& b) { return b.p99_ms; }),
        series("p95", "#e69500", [](const HtmlBucket& b) { return b.p95_ms; }),
        series("p50", "#1e7b34", [](const HtmlBucket& b) { return b.p50_ms; })},
       ChartKind::kLines, Ms, "No statement durations (log_min_duration_statement is off?)."},
      {"chart-time", "Execution time", {series("time", "#6c8ebf", [](const HtmlBucket& b) { return b.total_ms; })},
       ChartKind::kBars, Ms, "No statement durations."},
      {"chart-errors", "Errors and deadlocks",
       {series("errors", "#b3261e", [](const HtmlBucket& b) { return b.errors; }),
        series("deadlocks", "#5a1e8c", [](const HtmlBucket& b) { return b.deadlocks; })},
       ChartKind::kBars, Count, "No errors."},
      {"chart-temp", "Temporary files (bytes)",
       {series("temp bytes", "#8c5a1e", [](const HtmlBucket& b) { return b.temp_bytes; })}, ChartKind::kBars, Bytes,
       "No temporary files (log_temp_files is off, or none were written)."},
      {"chart-maintenance", "Checkpoints and autovacuum",
       {series("autovacuum", "#1e7b34", [](const HtmlBucket& b) { return b.autovacuum; }),
        series("autoanalyze", "#6cbf8e", [](const HtmlBucket& b) { return b.autoanalyze; }),
        series("checkpoints", "#3056d3", [](const HtmlBucket& b) { return b.checkpoints; }),
        series("checkpoints too frequent", "#b3261e", [](const HtmlBucket& b) { return b.checkpoint_warnings; })},
       ChartKind::kBars, Count, "No checkpoints or autovacuum runs (log_checkpoints, log_autovacuum_min_duration)."},
      {"chart-checkpoint-time", "Checkpoint write and sync time",
       {series("write", "#3056d3", [](const HtmlBucket& b) { return b.checkpoint_write_ms; }),
        series("sync", "#e69500", [](const HtmlBucket& b) { return b.checkpoint_sync_ms; })},
       ChartKind::kBars, Ms, "No checkpoint times."},
      {"chart-locks", "Lock waits", {series("lock waits", "#b3261e", [](const HtmlBucket& b) { return b.lock_waits; })},
       ChartKind::kBars, Count, "No lock waits (log_lock_waits is off, or none lasted deadlock_timeout)."},
      {"chart-connections", "Connections and disconnections",
       {series("connections", "#3056d3", [](const HtmlBucket& b) { return b.connections; }),
        series("disconnections", "#6c8ebf", [](const HtmlBucket& b) { return b.disconnections; })},
       ChartKind::kBars, Count, "No connections logged (log_connections, log_disconnections)."},
  };
  for (const Plot& p : plots) {
    out << "<h3>" << p.title << "</h3>\n";
    if (any(p.series)) {
      Chart(out, p.id, p.title, axis, p.series, p.kind, p.format);
    } else {
      out << "<p class=\"na\">" << p.none << "</p>\n";
    }
  }
  out << "<details><summary>All intervals as a table</summary><p class=\"na\">An interval's p50, p95 and p99 "
         "come from a histogram of √2-wide bins: within 19% of the true value and never outside the interval's "
         "shortest and longest statement (the overview's and each query's are exact up to 32 durations, within "
         "1% beyond).</p><table class=\"small\"><thead><tr><th>Start "
         "(UTC)</th><th class=\"n\">Queries</th><th class=\"n\">Time</th><th class=\"n\">p50</th><th "
         "class=\"n\">p95</th><th class=\"n\">p99</th><th class=\"n\">Errors</th><th class=\"n\">Temp</th><th "
         "class=\"n\">Checkpoints</th><th class=\"n\">Autovacuum</th><th class=\"n\">Lock waits</th><th "
         "class=\"n\">Connections</th></tr></thead><tbody>\n";
  for (const HtmlBucket& b : m.timeline) {
    out << "<tr><td>" << TimeLabel(b.start, std::min<int64_t>(step, 60)) << "</td><td class=\"n\">" << Int(b.calls)
        << "</td><td class=\"n\">" << Ms(b.total_ms) << "</td><td class=\"n\">" << Ms(b.p50_ms)
        << "</td><td class=\"n\">" << Ms(b.p95_ms) << "</td><td class=\"n\">" << Ms(b.p99_ms)
        << "</td><td class=\"n\">" << Int(b.errors) << "</td><td class=\"n\">" << Bytes(static_cast<double>(b.temp_bytes))
        << "</td><td class=\"n\">" << Int(b.checkpoints) << "</td><td class=\"n\">" << Int(b.autovacuum + b.autoanalyze)
        << "</td><td class=\"n\">" << Int(b.lock_waits) << "</td><td class=\"n\">" << Int(b.connections)
        << "</td></tr>\n";
  }
  out << "</tbody></table></details></section>\n";
}

}  // namespace
}  // namespace analyze_html

void WriteAnalyzeHtml(const HtmlModel& m, std::ostream& out) {
  using namespace analyze_html;  // NOLINT: the sections of this report
  using html_parts::Esc;
  std::string title = "pgsift log report";
  if (!m.inputs.empty()) title += ": " + m.inputs.front() + (m.inputs.size() > 1 ? " and others" : "");
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "script-src '"
      << kScriptHash << "'\"><title>" << Esc(title) << "</title><style>" << html_parts::kBaseStyle << kStyle
      << "</style></head><body class=\"analyze\">\n<nav class=\"side\" aria-label=\"Sections\"><b>pgsift</b>";
  for (const Nav& n : kSections) out << "<a href=\"#" << n.id << "\">" << n.title << "</a>";
  out << "</nav>\n<main>\n<h1>" << Esc(title) << "</h1>\n<p class=\"meta\">";
  for (size_t i = 0; i < m.inputs.size(); ++i) out << (i ? ", " : "") << "<code>" << Esc(m.inputs[i]) << "</code>";
  out << " &middot; " << Int(m.records) << " records";
  if (!m.first_seen.empty()) out << " &middot; " << Esc(m.first_seen) << " to " << Esc(m.last_seen);
  out << "</p>\n";
  Overview(out, m);
  OverTime(out, m);
  TopQueries(out, m);
  Errors(out, m);
  Findings(out, m);
  Sessions(out, m);
  Locks(out, m);
  Vacuum(out, m);
  out << "<section id=\"missing\"><h2>Not shown yet</h2>\n<p>What analyze does not keep yet, so this report cannot "
         "show it:</p><ul>\n";
  for (const std::string& s : m.not_available) out << "<li>" << Esc(s) << "</li>\n";
  out << "</ul></section>\n<p class=\"meta\">Generated by pgsift. Queries are normalized and error messages "
         "redacted: no literal or parameter value from the log is shown.</p>\n</main>\n<script>"
      << kScript << "</script>\n</body></html>\n";
}

}  // namespace pgsift
