// Internal to analyzer/report/: text helpers the renderers share (HTML and
// Markdown of the weekly and fleet reports, JUnit XML).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pgsift::report_text {

// `s` safe in HTML and XML text and attribute values: & < > " ' escaped,
// control characters XML 1.0 forbids (all but tab, newline, return) as spaces.
std::string MarkupEscape(std::string_view s);

// "1,234,567".
std::string Thousands(uint64_t n);

// "12.3%", or "n/a" for a negative ratio (unknown).
std::string Percent(double ratio);

// Whitespace runs as one space, at most `max` characters ("..." when cut).
std::string OneLine(std::string_view text, size_t max);

// `text` as inline Markdown code for a table cell: pipes escaped, fenced
// with two backticks when it holds one.
std::string MarkdownCode(std::string_view text);

}  // namespace pgsift::report_text
