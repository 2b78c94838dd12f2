// The report as one self-contained HTML file: inline CSS and inline SVG
// charts, no scripts, no network, readable in print.
#include <algorithm>
#include <ctime>
#include <map>
#include <sstream>

#include "pgsift/report.h"
#include "html_parts.h"
#include "report_sections.h"
#include "report_text.h"

namespace pgsift {
namespace {

using report_sections::Block;
using report_sections::Only;
using report_sections::Span;
using report_text::Percent;

using html_parts::Esc;

std::string Short(const std::string& q, size_t max) {
  std::string out;
  for (char c : q) out += (c == '\n' || c == '\t' || c == '\r') ? ' ' : c;
  return out.size() > max ? out.substr(0, max - 3) + "..." : out;
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
    grid[day][tm.tm_hour] += b.total_ms();
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

std::string Text(const report_sections::Inline& spans) {
  std::string out;
  for (const Span& s : spans) {
    if (s.only == Only::kMarkdown) continue;
    if (s.kind == Span::kCode) {
      out += "<code>" + Esc(s.text) + "</code>";
    } else if (s.kind == Span::kStrong) {
      out += "<b>" + Esc(s.text) + "</b>";
    } else {
      out += Esc(s.text);
    }
  }
  return out;
}

void Table(std::ostringstream& out, const report_sections::Table& t) {
  out << "<table><tr>";
  for (const report_sections::Column& c : t.columns) out << "<th>" << Text(c.title) << "</th>";
  out << "</tr>\n";
  for (const std::vector<report_sections::Cell>& row : t.rows) {
    out << "<tr>";
    for (size_t i = 0; i < row.size(); ++i) {
      const report_sections::Cell& c = row[i];
      bool numeric = t.columns[i].numeric;
      if (c.toned) {
        out << "<td class=\"" << (numeric ? "n " : "") << c.tone << "\">";
      } else {
        out << (numeric ? "<td class=\"n\">" : "<td>");
      }
      if (c.query) {
        out << "<code>" << Esc(Short(c.text, 400)) << "</code>";
      } else {
        out << Esc(c.text);
      }
      out << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</table>\n";
}

void Blocks(std::ostringstream& out, const std::vector<Block>& blocks, const Report& r) {
  for (const Block& b : blocks) {
    if (b.only == Only::kMarkdown) continue;
    switch (b.kind) {
      case Block::kNote:
        out << (b.style == Block::kMeta   ? "<p class=\"meta\">"
                : b.style == Block::kWarn ? "<p class=\"warn\">"
                                          : "<p>")
            << Text(b.note) << "</p>\n";
        break;
      case Block::kTable:
        Table(out, b.table);
        break;
      case Block::kPreformatted:
        out << "<pre><code>" << Esc(b.preformatted) << "</code></pre>\n";
        break;
      case Block::kChart:
        if (b.chart == report_sections::Chart::kTopQueries) {
          TopChart(out, r.top);
        } else {
          LoadChart(out, r.load_by_hour);
        }
        break;
    }
  }
}

}  // namespace

std::string RenderReportHtml(const Report& r) {
  report_sections::ReportSections model = report_sections::BuildReportSections(r);
  std::ostringstream out;
  const std::string& db = model.database;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
         "<title>pgsift weekly report: "
      << Esc(db) << "</title><style>" << html_parts::kBaseStyle << "</style></head><body>\n";
  out << "<h1>pgsift weekly report: " << Esc(db) << "</h1>\n<p class=\"meta\">Window " << Esc(r.from_at) << " to "
      << Esc(r.to_at) << (r.server_version.empty() ? "" : " &middot; PostgreSQL " + Esc(r.server_version))
      << " &middot; baseline: "
      << (r.baseline == "previous" ? "previous window" : "all counters up to the start of the window") << "</p>\n";
  if (std::string note = LogScopeNote(r); !note.empty()) out << "<p class=\"meta\">" << Esc(note) << "</p>\n";
  if (std::string note = PgsiftLeftOutNote(r); !note.empty()) out << "<p class=\"meta\">" << Esc(note) << "</p>\n";
  Blocks(out, model.preamble, r);
  double mean_now = model.mean_now_ms;
  double mean_before = model.mean_before_ms;
  bool wow = model.week_over_week;
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
          : model.previous_errors
              ? "previous window " + std::to_string(r.before_log_errors) + " (" +
                    FormatChange(static_cast<double>(r.before_log_errors), static_cast<double>(r.log_errors)) + ")"
              : std::string("from logs"))
      << "</div></div>\n";

  for (const report_sections::Section& section : model.sections) {
    out << "<h2>" << Text(section.title) << "</h2>\n";
    Blocks(out, section.blocks, r);
  }
  out << "<p class=\"meta\">Generated by pgsift. Queries are normalized: no literal values are shown.</p>\n"
         "</body></html>\n";
  return out.str();
}

}  // namespace pgsift
