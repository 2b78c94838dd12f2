// The report as Markdown, for a chat message or a pull request.
#include <sstream>

#include "pgsift/report.h"
#include "report_sections.h"
#include "report_text.h"

namespace pgsift {
namespace {

using report_sections::Block;
using report_sections::Only;
using report_sections::Span;
using report_text::Percent;

std::string Text(const report_sections::Inline& spans) {
  std::string out;
  for (const Span& s : spans) {
    if (s.only == Only::kHtml) continue;
    if (s.kind == Span::kCode) {
      out += "`" + s.text + "`";
    } else if (s.kind == Span::kStrong) {
      out += "**" + s.text + "**";
    } else {
      out += s.text;
    }
  }
  return out;
}

void Table(std::ostringstream& out, const report_sections::Table& t) {
  out << "|";
  for (const report_sections::Column& c : t.columns) out << " " << Text(c.title) << " |";
  out << "\n|";
  for (const report_sections::Column& c : t.columns) out << (c.numeric ? "--:|" : "---|");
  out << "\n";
  for (const std::vector<report_sections::Cell>& row : t.rows) {
    out << "|";
    // Queries as one line of code, pipes escaped, at most 100 characters.
    for (const report_sections::Cell& c : row) {
      out << " " << (c.query ? report_text::MarkdownCode(report_text::OneLine(c.text, 100)) : c.text) << " |";
    }
    out << "\n";
  }
  out << "\n";
}

void Blocks(std::ostringstream& out, const std::vector<Block>& blocks) {
  for (const Block& b : blocks) {
    if (b.only == Only::kHtml) continue;
    switch (b.kind) {
      case Block::kNote:
        out << (b.style == Block::kWarn ? "> " : "") << Text(b.note) << "\n\n";
        break;
      case Block::kTable:
        Table(out, b.table);
        break;
      case Block::kPreformatted:
        out << "```\n" << b.preformatted << "```\n\n";
        break;
      case Block::kChart:
        break;
    }
  }
}

}  // namespace

std::string RenderReportMarkdown(const Report& r) {
  report_sections::ReportSections model = report_sections::BuildReportSections(r);
  std::ostringstream out;
  out << "# pgsift weekly report: " << model.database << "\n\n";
  out << "Window: " << (r.from_at.empty() ? "?" : r.from_at) << " to " << (r.to_at.empty() ? "?" : r.to_at);
  if (!r.server_version.empty()) out << " (PostgreSQL " << r.server_version << ")";
  out << ". Baseline: "
      << (r.baseline == "previous" ? "the previous window (--prev)." : "all counters up to the start of the window.")
      << "\n\n";
  if (std::string note = LogScopeNote(r); !note.empty()) out << note << ".\n\n";
  if (std::string note = PgsiftLeftOutNote(r); !note.empty()) out << note << ".\n\n";
  Blocks(out, model.preamble);

  out << "## Headline\n\n";
  bool wow = model.week_over_week;
  out << "| | This window | Baseline | Change |\n|---|--:|--:|--:|\n";
  double mean_now = model.mean_now_ms;
  double mean_before = model.mean_before_ms;
  out << "| Total execution time | " << FormatMs(r.window.exec_ms) << " | " << FormatMs(r.before.exec_ms) << " | "
      << (wow ? FormatChange(r.before.exec_ms, r.window.exec_ms) : "-") << " |\n";
  out << "| Calls | " << r.window.calls << " | " << r.before.calls << " | "
      << (wow ? FormatChange(static_cast<double>(r.before.calls), static_cast<double>(r.window.calls)) : "-") << " |\n";
  out << "| Mean time per call | " << FormatMs(mean_now) << " | " << FormatMs(mean_before) << " | "
      << FormatChange(mean_before, mean_now) << " |\n";
  out << "| Cache hit ratio | " << Percent(r.window.hit_ratio) << " | " << Percent(r.before.hit_ratio) << " | - |\n";
  if (r.size_to_bytes > 0) {
    out << "| Database size | " << FormatBytes(r.size_to_bytes) << " | " << FormatBytes(r.size_from_bytes) << " | "
        << FormatChange(static_cast<double>(r.size_from_bytes), static_cast<double>(r.size_to_bytes)) << " |\n";
  }
  bool prev_errors = model.previous_errors;
  out << "| Errors (from logs) | " << (r.has_logs ? std::to_string(r.log_errors) : "no --logs") << " | "
      << (prev_errors ? std::to_string(r.before_log_errors) : "-") << " | "
      << (prev_errors ? FormatChange(static_cast<double>(r.before_log_errors), static_cast<double>(r.log_errors)) : "-")
      << " |\n\n";
  if (!wow)
    out << "Totals of a cumulative baseline are not comparable to one window; pass `--prev` for week-over-week.\n\n";

  for (const report_sections::Section& section : model.sections) {
    out << "## " << Text(section.title) << "\n\n";
    Blocks(out, section.blocks);
  }
  // The last section ends without a blank line.
  std::string text = out.str();
  text.pop_back();
  return text;
}

}  // namespace pgsift
