// The report as one self-contained HTML file: inline CSS and inline SVG
// charts, no scripts, no network, readable in print.
#include <algorithm>
#include <cctype>
#include <cstdio>
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


std::string MsLabel(double ms) { return FormatMs(ms); }

// Horizontal bars: total time of the top queries, coloured by trend.
void TopChart(std::ostringstream& out, const std::vector<ReportQuery>& rows) {
  std::vector<html_parts::Bar> bars;
  for (size_t i = 0; i < rows.size() && i < 10; ++i) {
    const ReportQuery& q = rows[i];
    const char* color = q.trend == "regressed" ? "#d9534f" : q.trend == "new" ? "#3056d3" : "#6c8ebf";
    bars.push_back({q.query, q.query, color, q.total_ms});
  }
  html_parts::HorizontalBars(out, "chart-top", "Total time of the top queries", bars,
                             {{"#d9534f", "regressed"}, {"#3056d3", "new"}, {"#6c8ebf", "other"}}, MsLabel);
}

// A cell's value in few characters: "850ms", "12s", "3.4min".
std::string CellValue(double ms) {
  char buf[32];
  if (ms < 1) return "<1ms";
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%.0fms", ms);
  } else if (ms < 60000) {
    std::snprintf(buf, sizeof buf, ms < 10000 ? "%.1fs" : "%.0fs", ms / 1000);
  } else if (ms < 3600000) {
    std::snprintf(buf, sizeof buf, "%.0fm", ms / 60000);
  } else {
    std::snprintf(buf, sizeof buf, "%.0fh", ms / 3600000);
  }
  return buf;
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
  int h = rows * 20 + 30 + 30;  // the scale below
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
      if (v > 0) {  // the value, readable on its shade
        out << "<text class=\"cell\" x=\"" << 120 + hour * 32 + 15 << "\" y=\"" << y + 12
            << "\" text-anchor=\"middle\" style=\"font-size:8px;fill:" << (a > 0.55 ? "#fff" : "#1d2433") << "\">"
            << Esc(CellValue(v)) << "</text>";
      }
    }
  }
  // The scale: five shades from the least to the most time in one hour.
  int sy = 18 + rows * 20 + 8;
  out << "\n<text x=\"0\" y=\"" << sy + 13 << "\">Execution time per hour</text>";
  for (int i = 0; i < 5; ++i) {
    double a = i / 4.0;
    char fill[64];
    snprintf(fill, sizeof fill, "rgba(48,86,211,%.3f)", 0.08 + 0.92 * a);
    out << "<rect class=\"legend\" x=\"" << 160 + i * 90 << "\" y=\"" << sy << "\" width=\"20\" height=\"16\" fill=\""
        << fill << "\"/><text x=\"" << 184 + i * 90 << "\" y=\"" << sy + 13 << "\">"
        << (i == 0 ? "> 0" : Esc(FormatMs(max * a))) << "</text>";
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
        if (b.findings != nullptr) {
          for (size_t i = 0; i < b.findings->size(); ++i) {
            const Finding& f = (*b.findings)[i];
            std::string anchor = "finding-" + std::to_string(i);
            html_parts::WriteFindingCard(
                out, {anchor, f.rule_id, SeverityName(f.severity), f.message, f.help, f.fix, "", &f.facts});
          }
        } else {
          out << "<pre><code>" << Esc(b.preformatted) << "</code></pre>\n";
        }
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

// "Latency SLOs by journey" -> "latency-slos-by-journey".
std::string Slug(const report_sections::Inline& title) {
  std::string out;
  for (const Span& s : title) {
    for (char c : s.text) {
      if (std::isalnum(static_cast<unsigned char>(c))) {
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      } else if (!out.empty() && out.back() != '-') {
        out += '-';
      }
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "section" : out;
}

std::string PlainTitle(const report_sections::Inline& title) {
  std::string out;
  for (const Span& s : title) {
    if (s.only != Only::kMarkdown) out += s.text;
  }
  return out;
}

}  // namespace

std::string RenderReportHtml(const Report& r) {
  report_sections::ReportSections model = report_sections::BuildReportSections(r);
  std::ostringstream out;
  const std::string& db = model.database;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
         "<title>pgsift weekly report: "
      << Esc(db) << "</title><style>" << html_parts::kBaseStyle << html_parts::kNavStyle << "</style></head><body>\n";
  out << "<h1>pgsift weekly report: " << Esc(db) << "</h1>\n<p class=\"meta\">Window " << Esc(r.from_at) << " to "
      << Esc(r.to_at) << (r.server_version.empty() ? "" : " &middot; PostgreSQL " + Esc(r.server_version))
      << " &middot; baseline: "
      << (r.baseline == "previous" ? "previous window" : "all counters up to the start of the window") << "</p>\n";
  if (std::string note = LogScopeNote(r); !note.empty()) out << "<p class=\"meta\">" << Esc(note) << "</p>\n";
  if (std::string note = PgsiftLeftOutNote(r); !note.empty()) out << "<p class=\"meta\">" << Esc(note) << "</p>\n";
  out << "<nav class=\"top\" aria-label=\"Sections\"><a href=\"#headline\">Headline</a>";
  for (const report_sections::Section& section : model.sections) {
    out << "<a href=\"#" << Slug(section.title) << "\">" << Esc(PlainTitle(section.title)) << "</a>";
  }
  out << "</nav>\n";
  Blocks(out, model.preamble, r);
  double mean_now = model.mean_now_ms;
  double mean_before = model.mean_before_ms;
  bool wow = model.week_over_week;
  out << "<h2 id=\"headline\">Headline</h2>\n<div class=\"cards\">"
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
    out << "<h2 id=\"" << Slug(section.title) << "\">" << Text(section.title) << "</h2>\n";
    Blocks(out, section.blocks, r);
  }
  out << "<p class=\"meta\">Generated by pgsift. Queries are normalized: no literal values are shown.</p>\n"
         "</body></html>\n";
  return out.str();
}

}  // namespace pgsift
