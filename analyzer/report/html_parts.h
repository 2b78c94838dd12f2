// Internal to analyzer/report/: what the HTML reports share. Escaping is
// report_text::MarkupEscape (one function for every markup output); the
// charts are inline SVG, drawn here once.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgsift::html_parts {

// The base style sheet of every HTML report (the weekly report uses it as
// is; the analyze report adds its layout to it).
extern const char* const kBaseStyle;
// A sticky top navigation bar (<nav class="top">) for the weekly and fleet reports.
extern const char* const kNavStyle;

// Markup-escaped `s` (report_text::MarkupEscape).
std::string Esc(std::string_view s);

// One series of a chart: a value per point, its legend name and colour.
struct Series {
  std::string name;
  std::string color;
  std::vector<double> values;
};

// Points of a chart: x positions (any unit, increasing: time in seconds, or
// 0, 1, 2... for categories), a label for each (tooltips and axis), and
// `width`, the x extent of one point (a bucket's step).
struct Axis {
  std::vector<int64_t> x;
  std::vector<std::string> labels;
  int64_t width = 1;
};

// A finding as a card: severity, rule, message, evidence (facts), what to
// do (help) and the fix; `anchor` its element id, `query_href` a link to
// the query it is about ("" none). One renderer for every HTML report.
struct FindingCard {
  std::string_view anchor, rule, severity, message, help, fix, query_href;
  const std::vector<std::pair<std::string, std::string>>* facts = nullptr;
};
void WriteFindingCard(std::ostream& out, const FindingCard& card);

// Horizontal bars, one per row: a label (cut to 60 characters; the full
// text, at most 2000, in its tooltip), a bar in the row's colour, its value.
// `legend`: colour -> meaning, drawn above the bars (none when empty).
struct Bar {
  std::string label, full, color;
  double value = 0;
};
void HorizontalBars(std::ostream& out, std::string_view id, std::string_view label, const std::vector<Bar>& bars,
                    const std::vector<std::pair<std::string, std::string>>& legend, std::string (*format)(double));

enum class ChartKind { kBars, kLines };

// An inline <svg class="chart" id=ID> of the series over `axis`, with a
// y-scale (0 and the maximum), x labels at the ends (every label for up to
// 16 points), a tooltip per point, a legend when there are several series,
// and the point of the first series' maximum marked (the peak). `format`
// writes a value for labels and tooltips. Draws the series one over the
// other in their order (bars: the first series behind).
void Chart(std::ostream& out, std::string_view id, std::string_view label, const Axis& axis,
           const std::vector<Series>& series, ChartKind kind, std::string (*format)(double));

}  // namespace pgsift::html_parts
