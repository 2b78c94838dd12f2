// The fleet report as one self-contained HTML file, in the style of the
// weekly and analyze reports (html_parts): a navigation bar, headline
// cards, per-database load and fleet-wide top queries as charts with
// legends, then the tables. No scripts, no network.
#include <algorithm>
#include <sstream>

#include "html_parts.h"
#include "pgsift/format.h"
#include "pgsift/report.h"
#include "report_text.h"

namespace pgsift {
namespace {

using html_parts::Esc;
using report_text::OneLine;
using report_text::Percent;

std::string MsLabel(double ms) { return FormatMs(ms); }

const char* TrendColor(const FleetQuery& q) { return q.regressed_in > 0 ? "#d9534f" : "#6c8ebf"; }

}  // namespace

std::string RenderFleetHtml(const FleetReport& f) {
  std::ostringstream out;
  size_t regressed_dbs = 0, reset = 0;
  for (const FleetDatabase& d : f.databases) regressed_dbs += d.regressions > 0, reset += d.reset;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
         "<title>pgsift fleet report</title><style>"
      << html_parts::kBaseStyle << html_parts::kNavStyle << "</style></head><body>\n";
  out << "<h1>pgsift fleet report: " << f.databases.size() << " databases</h1>\n"
      << "<nav class=\"top\" aria-label=\"Sections\"><a href=\"#headline\">Headline</a><a href=\"#load\">Load by "
         "database</a><a href=\"#top-queries\">Top queries</a><a href=\"#regressions\">Regressions</a><a "
         "href=\"#databases\">Databases</a></nav>\n";
  out << "<h2 id=\"headline\">Headline</h2>\n<div class=\"cards\"><div class=\"card\">Total execution time<b>"
      << Esc(FormatMs(f.window.exec_ms)) << "</b>across the fleet</div><div class=\"card\">Calls<b>"
      << report_text::Thousands(static_cast<uint64_t>(std::max<int64_t>(f.window.calls, 0)))
      << "</b></div><div class=\"card\">Databases<b>" << f.databases.size() << "</b>" << regressed_dbs
      << " with regressions" << (reset ? ", " + std::to_string(reset) + " reset" : "")
      << "</div><div class=\"card\">Regressed queries<b>" << f.regressions.size() << "</b></div></div>\n";

  out << "<h2 id=\"load\">Load by database</h2>\n";
  std::vector<html_parts::Bar> load;
  for (const FleetDatabase& d : f.databases) {
    load.push_back({d.label + (d.reset ? " (reset)" : ""), "", d.regressions > 0 ? "#d9534f" : "#3056d3",
                    d.window.exec_ms});
  }
  if (load.empty()) {
    out << "<p class=\"meta\">No databases.</p>\n";
  } else {
    html_parts::HorizontalBars(out, "chart-fleet-load", "Execution time by database", load,
                               {{"#d9534f", "has regressions"}, {"#3056d3", "no regression"}}, MsLabel);
  }

  out << "<h2 id=\"top-queries\">Top queries across the fleet</h2>\n";
  std::vector<html_parts::Bar> top;
  for (size_t i = 0; i < f.top.size() && i < 15; ++i) {
    const FleetQuery& q = f.top[i];
    top.push_back({q.query, q.query, TrendColor(q), q.total_ms});
  }
  if (top.empty()) {
    out << "<p class=\"meta\">No queries in the window.</p>\n";
  } else {
    html_parts::HorizontalBars(out, "chart-fleet-top", "Total time of the fleet's top queries", top,
                               {{"#d9534f", "regressed somewhere"}, {"#6c8ebf", "no regression"}}, MsLabel);
  }
  out << "<table><tr><th>Query</th><th>Databases</th><th>Calls</th><th>Total</th><th>Regressed in</th></tr>\n";
  for (const FleetQuery& q : f.top) {
    out << "<tr><td><details><summary><code>" << Esc(OneLine(q.query, 120)) << "</code></summary><pre "
        << "class=\"sql\"><code>" << Esc(q.query) << "</code></pre></details></td><td class=\"n\">" << q.databases
        << "</td><td class=\"n\">" << q.calls << "</td><td class=\"n\">" << Esc(FormatMs(q.total_ms))
        << "</td><td class=\"n\">" << q.regressed_in << "</td></tr>\n";
  }
  out << "</table>\n<h2 id=\"regressions\">Regressions</h2>\n";
  if (f.regressions.empty()) {
    out << "<p class=\"meta\">No query regressed in any database.</p>\n";
  } else {
    out << "<table><tr><th>Query</th><th>Where</th><th>Calls</th><th>Total</th></tr>\n";
    for (const FleetQuery& q : f.regressions) {
      std::string where;
      for (const std::string& w : q.where) where += (where.empty() ? "" : ", ") + w;
      out << "<tr><td><code>" << Esc(OneLine(q.query, 300)) << "</code></td><td>" << Esc(where)
          << "</td><td class=\"n\">" << q.calls << "</td><td class=\"n\">" << Esc(FormatMs(q.total_ms))
          << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  out << "<h2 id=\"databases\">Databases</h2><table><tr><th>Database</th><th>Calls</th><th>Total</th><th>Cache "
         "hit</th><th>Regressions</th><th>New</th><th>Costliest query</th></tr>\n";
  for (const FleetDatabase& d : f.databases) {
    out << "<tr><td>" << Esc(d.label) << (d.reset ? " (reset)" : "") << "</td><td class=\"n\">" << d.window.calls
        << "</td><td class=\"n\">" << Esc(FormatMs(d.window.exec_ms)) << "</td><td class=\"n\">"
        << Esc(Percent(d.window.hit_ratio)) << "</td><td class=\"n\">" << d.regressions << "</td><td class=\"n\">"
        << d.new_queries << "</td><td><code>" << Esc(OneLine(d.top_query, 200)) << "</code></td></tr>\n";
  }
  out << "</table>\n<p class=\"meta\">Generated by pgsift. Queries are normalized: no literal values are shown.</p>\n"
         "</body></html>\n";
  return out.str();
}

}  // namespace pgsift
