// Internal to analyzer/report/: the sections of the analyze HTML report
// (analyze_html.cpp writes the page, overview and over-time sections;
// analyze_html_sections.cpp the rest).
#pragma once

#include <ostream>
#include <string>

#include "pgsift/analyze_html.h"

namespace pgsift::analyze_html {

std::string Int(uint64_t n);       // "1,234"
std::string Ms(double ms);         // FormatMs
std::string Bytes(double bytes);   // FormatBytes
std::string Count(double n);       // a count for chart labels
// A time label for a bucket of `step` seconds: "09:24:58", "11-23 09:24", "2026-11-23".
std::string TimeLabel(int64_t start, int64_t step);
// A table of named counts (breakdowns), or nothing when empty.
void CountTable(std::ostream& out, const char* title, const char* what, const std::vector<HtmlCount>& rows,
                bool times);

void TopQueries(std::ostream& out, const HtmlModel& m);
void Errors(std::ostream& out, const HtmlModel& m);
void Findings(std::ostream& out, const HtmlModel& m);
void Sessions(std::ostream& out, const HtmlModel& m);
void Vacuum(std::ostream& out, const HtmlModel& m);
void Locks(std::ostream& out, const HtmlModel& m);
// A link to a query's drill-down (or its id alone when it is not shown).
std::string QueryRef(const HtmlModel& m, const std::string& id, size_t width);
// Errors over time, one line per SQLSTATE (the most frequent few, the rest together).
void ErrorsOverTime(std::ostream& out, const HtmlModel& m);

}  // namespace pgsift::analyze_html
