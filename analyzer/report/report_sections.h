// Internal to analyzer/report/: the weekly report as sections (titles, notes,
// tables), built once from a Report and rendered by both report_html.cpp and
// report_markdown.cpp, which only format. Where the two formats say a thing
// differently (a chart in HTML, a table in Markdown; a longer hint in
// Markdown), the part says which format it is for.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pgsift/report.h"

namespace pgsift::report_sections {

enum class Only { kBoth, kMarkdown, kHtml };

// A piece of running text: plain, inline code or strong.
struct Span {
  std::string text;
  enum Kind { kPlain, kCode, kStrong } kind = kPlain;
  Only only = Only::kBoth;
};
using Inline = std::vector<Span>;

struct Cell {
  std::string text;
  bool query = false;  // a normalized query text: shown as code, shortened by the renderer
  bool toned = false;  // has a tone (HTML class), even an empty one
  std::string tone;    // "up" | "down" | "new" | "": how the value moved
};

struct Column {
  Inline title;
  bool numeric = false;  // right-aligned
};

struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;
};

// The charts the HTML report draws from the Report's data.
enum class Chart { kTopQueries, kLoadByHour };

struct Block {
  enum Kind { kNote, kTable, kPreformatted, kChart } kind = kNote;
  Only only = Only::kBoth;
  Inline note;
  enum Style { kPlain, kMeta, kWarn } style = kPlain;  // of a note
  Table table;
  std::string preformatted;
  // The findings `preformatted` prints (Markdown), rendered as cards in
  // HTML; null for other blocks. Points into the Report.
  const std::vector<Finding>* findings = nullptr;
  Chart chart = Chart::kTopQueries;
};

struct Section {
  Inline title;
  std::vector<Block> blocks;
};

// The figures of the headline (rendered as a table in Markdown and as cards
// in HTML) and the sections after it, in order.
struct ReportSections {
  std::string database;  // "(unnamed database)" when unknown
  bool week_over_week = false;
  double mean_now_ms = 0, mean_before_ms = 0;
  bool previous_errors = false;  // the logs of the previous window were read
  std::vector<Block> preamble;   // before the headline
  std::vector<Section> sections;
};

ReportSections BuildReportSections(const Report& report);

}  // namespace pgsift::report_sections
