// The analyze HTML report's top queries (sortable table and drill-downs),
// errors, findings, sessions and vacuum sections.
#include <algorithm>
#include <map>

#include "analyze_html_parts.h"
#include "html_parts.h"
#include "pgsift/kept_plans.h"
#include "report_text.h"

namespace pgsift::analyze_html {
namespace {

using html_parts::Esc;

std::string Num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// A numeric cell: shown text, and the value the sorting script compares.
std::string Cell(const std::string& text, double v) {
  return "<td class=\"n\" data-v=\"" + Num(v) + "\">" + Esc(text) + "</td>";
}

std::string QueryLink(const std::string& id, const std::string& text) {
  return "<a href=\"#q-" + Esc(id) + "\"><code>" + Esc(text) + "</code></a>";
}

void QueryDetails(std::ostream& out, const HtmlModel& m, const HtmlQuery& q, size_t rank) {
  out << "<details class=\"query\" id=\"q-" << Esc(q.id) << "\"><summary><b>#" << rank << "</b> <code>"
      << Esc(report_text::OneLine(q.normalized, 110)) << "</code> &middot; " << Ms(q.total_ms) << " in "
      << Int(q.calls) << " calls</summary>\n<pre class=\"sql\"><code>" << Esc(q.normalized) << "</code></pre>\n";
  out << "<p class=\"meta\">Fingerprint <code>" << Esc(q.id) << "</code>"
      << (q.fallback ? " (pgsift's fallback: libpg_query could not parse it)" : "") << " &middot; first "
      << Esc(q.first_seen) << ", last " << Esc(q.last_seen) << "</p>\n<div class=\"cards\">";
  auto card = [&](const char* t, const std::string& v) {
    out << "<div class=\"card\">" << t << "<b>" << Esc(v) << "</b></div>";
  };
  card("Calls", Int(q.calls));
  card("Total", Ms(q.total_ms));
  card("Share of time", report_text::Percent(q.share));
  card("Mean", Ms(q.mean_ms));
  card("Min", Ms(q.min_ms));
  card("p50", Ms(q.p50_ms));
  card("p95", Ms(q.p95_ms));
  card("p99", Ms(q.p99_ms));
  card("Max", Ms(q.max_ms));
  card("Errors", Int(q.errors));
  card("Temp files", Int(q.temp_files) + " / " + Bytes(static_cast<double>(q.temp_bytes)));
  card("Plans logged", Int(q.plans));
  card("Parse/bind", Int(q.prepares));
  card("Lock waits", Int(q.lock_waits) + " / " + Ms(q.lock_wait_ms));
  out << "</div>\n<div class=\"grid\">";
  CountTable(out, "Database", "Calls", q.by_database, true);
  CountTable(out, "User", "Calls", q.by_user, true);
  CountTable(out, "Application", "Calls", q.by_application, true);
  CountTable(out, "SQLSTATE", "Errors", q.errors_by_sqlstate, false);
  if (!q.hourly.empty()) {
    // The busiest kMaxHours hours, in time order: a drill-down's size does
    // not grow with the log's length (a 107-day log made 2,560 rows each).
    constexpr size_t kMaxHours = 24;
    std::vector<std::pair<int64_t, HtmlCount>> hours = q.hourly;
    if (hours.size() > kMaxHours) {
      std::stable_sort(hours.begin(), hours.end(), [](const auto& a, const auto& b) {
        return a.second.total_ms != b.second.total_ms ? a.second.total_ms > b.second.total_ms
                                                       : a.second.count > b.second.count;
      });
      hours.resize(kMaxHours);
      std::sort(hours.begin(), hours.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    out << "<table class=\"small\"><thead><tr><th>Hour (UTC)"
        << (hours.size() < q.hourly.size() ? ", the " + std::to_string(hours.size()) + " busiest of " +
                                                 Int(q.hourly.size())
                                           : std::string())
        << "</th><th class=\"n\">Calls</th><th class=\"n\">Time</th></tr></thead><tbody>\n";
    for (const auto& [hour, c] : hours) {
      out << "<tr><td>" << TimeLabel(hour, 3600) << "</td><td class=\"n\">" << Int(c.count) << "</td><td class=\"n\">"
          << Ms(c.total_ms) << "</td></tr>\n";
    }
    out << "</tbody></table>";
  }
  out << "</div>\n";
  if (!q.slowest_plans.empty()) {
    out << "<h4>Slowest plans</h4>\n<p class=\"meta\">auto_explain plans of this query, slowest first, one per "
           "distinct plan (at most "
        << KeptPlans::kMaxPlans << "); conditions show ? for values.</p>\n";
    for (size_t i = 0; i < q.slowest_plans.size(); ++i) {
      const HtmlPlan& p = q.slowest_plans[i];
      out << "<details class=\"plan\"" << (i == 0 ? " open" : "") << "><summary>" << Ms(p.duration_ms) << " at "
          << Esc(p.seen) << "</summary><pre class=\"plan\"><code>" << Esc(p.text) << "</code></pre></details>\n";
    }
  }
  if (!q.findings.empty()) {
    out << "<p>Findings: ";
    for (size_t i = 0; i < q.findings.size(); ++i) {
      const HtmlFinding& f = m.findings[q.findings[i]];
      out << (i ? ", " : "") << "<a href=\"#finding-" << q.findings[i] << "\">" << Esc(f.rule) << "</a>";
    }
    out << "</p>\n";
  }
  out << "</details>\n";
}

}  // namespace

std::string QueryRef(const HtmlModel& m, const std::string& id, size_t width) {
  if (id.empty()) return "<span class=\"na\">statement not logged</span>";
  for (const HtmlQuery& q : m.queries) {
    if (q.id == id) return QueryLink(id, report_text::OneLine(q.normalized, width));
  }
  return "<code>" + Esc(id) + "</code>";
}

void TopQueries(std::ostream& out, const HtmlModel& m) {
  out << "<section id=\"queries\"><h2>Top queries</h2>\n";
  if (m.queries.empty()) {
    out << "<p class=\"na\">No statements in this log (log_min_duration_statement or log_statement is off).</p>"
           "</section>\n";
    return;
  }
  out << "<p class=\"meta\">" << Int(m.queries.size()) << " query shapes by total time"
      << (m.queries_not_shown ? ", with the leaders by mean, calls, max, temp bytes and errors; " +
                                    Int(m.queries_not_shown) + " more not shown"
                              : "")
      << ". Click a column to sort (JavaScript), a query for its details.</p>\n";
  out << "<table class=\"sortable\" id=\"top-queries\"><thead><tr><th class=\"n\">#</th><th>Query</th>"
         "<th class=\"n\" data-key=\"calls\">Calls</th><th class=\"n\" data-key=\"total\" "
         "aria-sort=\"descending\">Total</th><th class=\"n\" data-key=\"mean\">Mean</th><th class=\"n\" "
         "data-key=\"p95\">p95</th><th class=\"n\" data-key=\"max\">Max</th><th class=\"n\" "
         "data-key=\"temp\">Temp</th><th class=\"n\" data-key=\"errors\">Errors</th><th class=\"n\" "
         "data-key=\"lock\">Lock wait</th><th class=\"n\" "
         "data-key=\"share\">Share</th></tr></thead><tbody>\n";
  for (size_t i = 0; i < m.queries.size(); ++i) {
    const HtmlQuery& q = m.queries[i];
    out << "<tr data-id=\"" << Esc(q.id) << "\"><td class=\"n\" data-v=\"" << i + 1 << "\">" << i + 1 << "</td><td>"
        << QueryLink(q.id, report_text::OneLine(q.normalized, 120)) << "</td>" << Cell(Int(q.calls), static_cast<double>(q.calls))
        << Cell(Ms(q.total_ms), q.total_ms) << Cell(Ms(q.mean_ms), q.mean_ms) << Cell(Ms(q.p95_ms), q.p95_ms)
        << Cell(Ms(q.max_ms), q.max_ms) << Cell(Bytes(static_cast<double>(q.temp_bytes)), static_cast<double>(q.temp_bytes))
        << Cell(Int(q.errors), static_cast<double>(q.errors)) << Cell(Ms(q.lock_wait_ms), q.lock_wait_ms)
        << Cell(report_text::Percent(q.share), q.share)
        << "</tr>\n";
  }
  out << "</tbody></table>\n<h3>Details</h3>\n";
  for (size_t i = 0; i < m.queries.size(); ++i) QueryDetails(out, m, m.queries[i], i + 1);
  out << "</section>\n";
}

void Errors(std::ostream& out, const HtmlModel& m) {
  out << "<section id=\"errors\"><h2>Errors</h2>\n";
  if (m.errors_by_message.empty()) {
    out << "<p class=\"na\">No errors in this log.</p></section>\n";
    return;
  }
  std::map<std::string, uint64_t> by_state;
  for (const HtmlErrorGroup& e : m.errors_by_message) by_state[e.sqlstate] += e.count;
  out << "<p class=\"meta\">Grouped by SQLSTATE and message; values in messages are replaced by ? and numbers by N. "
         "Errors over time are in <a href=\"#over-time\">Over time</a>.</p>\n<table id=\"error-groups\"><thead><tr>"
         "<th>SQLSTATE</th><th>Message</th><th class=\"n\">Count</th><th>First / last</th><th>Raised by</th></tr>"
         "</thead><tbody>\n";
  for (const HtmlErrorGroup& e : m.errors_by_message) {
    out << "<tr><td><code>" << Esc(e.sqlstate) << "</code></td><td>" << Esc(e.message) << "</td><td class=\"n\">"
        << Int(e.count) << "</td><td>" << Esc(e.first_seen) << "<br>" << Esc(e.last_seen) << "</td><td>";
    for (size_t i = 0; i < e.queries.size(); ++i) {
      const auto& [id, n] = e.queries[i];
      out << (i ? "<br>" : "") << QueryRef(m, id, 60) << " &times;" << Int(n);
    }
    out << "</td></tr>\n";
  }
  out << "</tbody></table>\n<table class=\"small\"><thead><tr><th>SQLSTATE</th><th class=\"n\">Errors</th></tr>"
         "</thead><tbody>\n";
  for (const auto& [state, n] : by_state) {
    out << "<tr><td><code>" << Esc(state) << "</code></td><td class=\"n\">" << Int(n) << "</td></tr>\n";
  }
  out << "</tbody></table>\n<h3>Errors over time by SQLSTATE</h3>\n";
  ErrorsOverTime(out, m);
  out << "<h3 id=\"cancelled\">Cancelled queries</h3>\n";
  if (m.cancelled == 0) {
    out << "<p class=\"na\">No statement was cancelled (SQLSTATE 57014: statement_timeout, a user's cancel "
           "request, pg_cancel_backend).</p>\n";
  } else {
    out << "<p>" << Int(m.cancelled) << " statements cancelled (SQLSTATE 57014, or its message where the log has no "
           "SQLSTATE).</p>\n<table "
           "id=\"cancelled-queries\"><thead><tr><th>Reason</th><th class=\"n\">Count</th><th>Statements</th></tr>"
           "</thead><tbody>\n";
    for (const HtmlErrorGroup& e : m.errors_by_message) {
      if (!e.cancelled) continue;
      out << "<tr><td>" << Esc(e.message) << "</td><td class=\"n\">" << Int(e.count) << "</td><td>";
      for (size_t i = 0; i < e.queries.size(); ++i) {
        out << (i ? "<br>" : "") << QueryRef(m, e.queries[i].first, 60) << " &times;" << Int(e.queries[i].second);
      }
      out << "</td></tr>\n";
    }
    out << "</tbody></table>\n";
  }
  out << "</section>\n";
}

void Findings(std::ostream& out, const HtmlModel& m) {
  out << "<section id=\"findings\"><h2>Findings</h2>\n";
  if (m.findings.empty()) out << "<p class=\"na\">No rule reported a finding.</p>\n";
  for (size_t i = 0; i < m.findings.size(); ++i) {
    const HtmlFinding& f = m.findings[i];
    std::string anchor = "finding-" + std::to_string(i), href = f.query.empty() ? "" : "#q-" + f.query;
    html_parts::WriteFindingCard(out, {anchor, f.rule, f.severity, f.message, f.help, f.fix, href, &f.facts});
  }
  out << "</section>\n";
}

void Sessions(std::ostream& out, const HtmlModel& m) {
  out << "<section id=\"sessions\"><h2>Sessions</h2>\n";
  if (m.sessions == 0) {
    out << "<p class=\"na\">No disconnections logged (log_disconnections is off), so no sessions.</p></section>\n";
    return;
  }
  out << "<div class=\"cards\"><div class=\"card\">Sessions<b>" << Int(m.sessions)
      << "</b></div><div class=\"card\">Session time<b>" << Ms(m.session_total_ms)
      << "</b></div><div class=\"card\">Mean session<b>" << Ms(m.session_total_ms / static_cast<double>(m.sessions))
      << "</b></div><div class=\"card\">Connections<b>" << Int(m.connections) << "</b></div></div>\n";
  html_parts::Axis axis;
  html_parts::Series s{"sessions", "#3056d3", {}};
  for (size_t i = 0; i < m.session_durations.size(); ++i) {
    axis.x.push_back(static_cast<int64_t>(i));
    double u = m.session_durations[i].upper_ms;
    axis.labels.push_back(u < 0 ? "longer" : "\u2264 " + Ms(u));
    s.values.push_back(static_cast<double>(m.session_durations[i].count));
  }
  out << "<h3>Session durations</h3>\n";
  html_parts::Chart(out, "chart-session-durations", "Sessions by duration", axis, {s}, html_parts::ChartKind::kBars,
                    Count);
  out << "<div class=\"grid\">";
  CountTable(out, "Application", "Sessions", m.sessions_by_application, true);
  CountTable(out, "User", "Sessions", m.sessions_by_user, true);
  CountTable(out, "Database", "Sessions", m.sessions_by_database, true);
  CountTable(out, "Host", "Sessions", m.sessions_by_host, true);
  out << "</div></section>\n";
}

void Vacuum(std::ostream& out, const HtmlModel& m) {
  out << "<section id=\"vacuum\"><h2>Vacuum and analyze</h2>\n";
  if (m.vacuum.empty()) {
    out << "<p class=\"na\">No autovacuum or autoanalyze runs logged (log_autovacuum_min_duration is off?).</p>"
           "</section>\n";
    return;
  }
  out << "<table id=\"vacuum-tables\"><thead><tr><th>Table</th><th class=\"n\">Vacuums</th><th "
         "class=\"n\">Analyzes</th><th class=\"n\">Elapsed</th><th class=\"n\">Tuples removed</th><th "
         "class=\"n\">Buffer hits</th><th class=\"n\">Misses</th><th class=\"n\">Dirtied</th></tr></thead><tbody>\n";
  for (const HtmlVacuumTable& t : m.vacuum) {
    out << "<tr><td><code>" << Esc(t.table) << "</code></td><td class=\"n\">" << Int(t.vacuums)
        << "</td><td class=\"n\">" << Int(t.analyzes) << "</td><td class=\"n\">" << Ms(t.elapsed_ms)
        << "</td><td class=\"n\">" << Int(t.removed_tuples) << "</td><td class=\"n\">" << Int(t.buffer_hits)
        << "</td><td class=\"n\">" << Int(t.buffer_misses) << "</td><td class=\"n\">" << Int(t.buffer_dirtied)
        << "</td></tr>\n";
  }
  out << "</tbody></table></section>\n";
}

}  // namespace pgsift::analyze_html
