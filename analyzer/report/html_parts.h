// Internal to analyzer/report/: what the HTML reports share. Escaping is
// report_text::MarkupEscape (one function for every markup output); the
// charts are inline SVG, drawn here once.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace pgsift::html_parts {

// The base style sheet of every HTML report (the weekly report uses it as
// is; the analyze report adds its layout to it).
extern const char* const kBaseStyle;

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
