// Representative bind values of guarded queries, taken from server logs.
//
// The values are patient data: they live in memory only, are used to
// EXPLAIN (custom plans), and never reach a file or an output unless the
// user passes --show-values. A baseline records only that log values were
// used and a tag (LogValues::tag) that says whether `pgsift check` found the
// same ones in its logs; the tag is a hash over where the values were found
// (how many executions, which one, its duration) and the values, so it
// cannot be turned back into the values without the logs themselves.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/result.h"

namespace pgsift {

// The values of one execution as SQL expressions ('text' with quotes
// doubled, or NULL), from a "parameters: $1 = '...', $2 = NULL" DETAIL.
// nullopt when the list is malformed or a value may be cut
// (log_parameter_max_length: a value ending in "...").
std::optional<std::vector<std::string>> ParseLogParameters(std::string_view detail);

struct LogValues {
  std::vector<std::string> params;  // SQL expressions, one per $n
  std::string tag;                  // 16 hex digits, see above
  uint64_t executions = 0;          // executions with parameters seen
};

struct LogValuesOptions {
  std::vector<std::string> paths;  // log files (any format pgsift reads; compressed too)
  std::string prefix;              // stderr log_line_prefix; empty: inferred
};

// Reads the logs once (streamed) and picks, for each wanted fingerprint, the
// parameter values of its median-duration execution (ties: the earlier one)
// among a bounded, deterministic sample of its executions. Fingerprints
// without a logged execution with parameters are absent from the result.
// Fails only when a log cannot be opened or read.
Result<std::map<uint64_t, LogValues>> CollectLogValues(const LogValuesOptions& options,
                                                       const std::vector<uint64_t>& fingerprints);

}  // namespace pgsift
