// The analyze HTML report's Locks section (log_lock_waits: who waited, for
// which lock, how long, who held it; deadlocks) and its errors-by-SQLSTATE
// chart.
#include <algorithm>
#include <map>

#include "analyze_html_parts.h"
#include "html_parts.h"

namespace pgsift::analyze_html {

using html_parts::Esc;

void ErrorsOverTime(std::ostream& out, const HtmlModel& m) {
  constexpr size_t kLines = 6;  // SQLSTATEs drawn apart; the rest is one line
  std::map<std::string, uint64_t> totals;
  for (const HtmlBucket& b : m.timeline) {
    for (const auto& [state, n] : b.errors_by_sqlstate) totals[state] += n;
  }
  if (totals.empty()) {
    out << "<p class=\"na\">No errors.</p>\n";
    return;
  }
  std::vector<std::pair<std::string, uint64_t>> states(totals.begin(), totals.end());
  std::stable_sort(states.begin(), states.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  static const char* const kColors[] = {"#b3261e", "#3056d3", "#e69500", "#1e7b34", "#5a1e8c", "#8c5a1e", "#5a6478"};
  std::vector<html_parts::Series> series;
  for (size_t i = 0; i < states.size() && i < kLines; ++i) series.push_back({states[i].first, kColors[i], {}});
  if (states.size() > kLines) series.push_back({"other states", kColors[kLines], {}});
  html_parts::Axis axis;
  axis.width = m.step_seconds;
  for (const HtmlBucket& b : m.timeline) {
    axis.x.push_back(b.start);
    axis.labels.push_back(TimeLabel(b.start, m.step_seconds));
    for (html_parts::Series& s : series) s.values.push_back(0);
    for (const auto& [state, n] : b.errors_by_sqlstate) {
      size_t i = 0;
      while (i < series.size() && i < kLines && series[i].name != state) ++i;
      series[std::min(i, series.size() - 1)].values.back() += static_cast<double>(n);
    }
  }
  html_parts::Chart(out, "chart-errors-by-sqlstate", "Errors by SQLSTATE", axis, series, html_parts::ChartKind::kLines,
                    Count);
}

void Locks(std::ostream& out, const HtmlModel& m) {
  out << "<section id=\"locks\"><h2>Locks</h2>\n<div class=\"cards\"><div class=\"card\">Lock waits<b>"
      << Int(m.lock_waits) << "</b>logged</div><div class=\"card\">Waited<b>" << Ms(m.lock_wait_ms)
      << "</b>when logged</div><div class=\"card\">Deadlocks<b>" << Int(m.deadlocks) << "</b>SQLSTATE 40P01</div></div>\n";
  if (m.longest_lock_waits.empty()) {
    out << "<p class=\"na\">No lock waits logged (log_lock_waits is off, or no wait lasted deadlock_timeout).</p>"
           "</section>\n";
    return;
  }
  out << "<p class=\"meta\">A wait is logged once it has lasted deadlock_timeout; the time shown is how long it had "
         "waited then. The process holding the lock is the one the log names. Lock waits over time are in <a "
         "href=\"#over-time\">Over time</a>.</p>\n";
  std::vector<HtmlCount> by_query;
  for (const HtmlQuery& q : m.queries) {
    if (q.lock_waits > 0) by_query.push_back({q.id, q.lock_waits, q.lock_wait_ms});
  }
  std::stable_sort(by_query.begin(), by_query.end(),
                   [](const HtmlCount& a, const HtmlCount& b) { return a.total_ms > b.total_ms; });
  out << "<div class=\"grid\">";
  CountTable(out, "Lock", "Waits", m.locks_by_kind, true);
  if (!by_query.empty()) {
    out << "<table class=\"small\" id=\"lock-waits-by-query\"><thead><tr><th>Waiting query</th><th "
           "class=\"n\">Waits</th><th class=\"n\">Waited</th></tr></thead><tbody>\n";
    for (const HtmlCount& c : by_query) {
      out << "<tr><td>" << QueryRef(m, c.name, 60) << "</td><td class=\"n\">" << Int(c.count) << "</td><td class=\"n\">"
          << Ms(c.total_ms) << "</td></tr>\n";
    }
    out << "</tbody></table>";
  }
  out << "</div>\n<h3>Longest waits</h3>\n<table id=\"lock-waits\"><thead><tr><th>When</th><th class=\"n\">Waited</th>"
         "<th>Lock</th><th>Waiting process</th><th>Held by</th><th class=\"n\">Queue</th><th>Waiting query</th></tr>"
         "</thead><tbody>\n";
  for (const HtmlLockWait& l : m.longest_lock_waits) {
    out << "<tr><td>" << Esc(l.time) << "</td><td class=\"n\">" << Ms(l.wait_ms) << "</td><td>" << Esc(l.lock)
        << "</td><td>" << Esc(l.pid) << "</td><td>"
        << (l.blockers.empty() ? "<span class=\"na\">not logged</span>" : "process " + Esc(l.blockers))
        << "</td><td class=\"n\">" << l.queue << "</td><td>" << QueryRef(m, l.query, 60) << "</td></tr>\n";
  }
  out << "</tbody></table></section>\n";
}

}  // namespace pgsift::analyze_html
