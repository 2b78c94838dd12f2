// Outputs of `pgsift analyze` (report/analyze_terminal.cpp, analyze_json.cpp).
// They only format: they read an AnalyzeResult and write text. No literal or
// parameter value reaches them (queries are normalized texts).
#pragma once

#include <ostream>
#include <string>

#include "pgsift/analyze.h"

namespace pgsift {

struct TableOptions {
  size_t top = 20;
  std::string sort = "total";  // total | mean | calls | max | p95 | errors
  size_t width = 120;          // terminal columns
  // The fingerprint cache's hit, parser-call and shape counters in the JSON:
  // they depend on -j and on how the threads were scheduled, so by default
  // the JSON leaves them out and is the same for every run of one input.
  bool cache_stats = false;
};

void WriteAnalyzeJson(const AnalyzeResult& result, const TableOptions& options, std::ostream& out);
void WriteAnalyzeTable(const AnalyzeResult& result, const TableOptions& options, std::ostream& out);
// The accounting lines: inputs, lines read / in records / skipped by reason.
void WriteInputSummary(const AnalyzeResult& result, std::ostream& out);
// "log_line_prefix '...' (detected)" or "(given)", and how many sampled lines
// a detected prefix does not explain ("; 12 of 900 sampled lines do not fit
// it, ..."); "" when the input has no prefix.
std::string PrefixNote(const InputReport& input);
// How the input's timestamps were placed in time when its zone was unknown
// (read as UTC) or an abbreviation with several meanings (IST, CST); "" when
// every zone was clear.
std::string ZoneNote(const InputReport& input);

}  // namespace pgsift
