// Plan baselines: the guarded queries, their plans as captured from a source
// database, and the comparison `pgsift check` makes after migrations.
//
// A baseline file is JSON meant to be committed: keys sorted, queries sorted
// by name, no timestamps, no host names, no bind values (unless the user
// passed --show-values when capturing). Capturing twice from an unchanged
// database without ANALYZE gives byte-identical files.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/baseline_model.h"
#include "pgsift/finding.h"
#include "pgsift/plan.h"
#include "pgsift/result.h"

namespace pgsift {

// The `top` queries by total time of a pgsift analyze JSON's workload, or of
// pg_stat_statements entries, as guarded queries named q_<fingerprint>
// (normalized texts: planned generically unless `baseline capture
// --values-from` gives them representative values from the logs). Only statements
// PREPARE accepts (SELECT, WITH, INSERT, UPDATE, DELETE, MERGE, VALUES,
// TABLE); ties in total time go by fingerprint.
struct TopQuery {
  uint64_t fingerprint = 0;
  std::string normalized;
  double total_ms = 0;
};
std::vector<GuardedQuery> TopGuardedQueries(std::vector<TopQuery> candidates, size_t top, const std::string& source);

// Reads a queries file: statements separated by ';', each optionally
// preceded by "-- name: NAME" and "-- params: v1, v2" comment lines. Names
// default to "query_<line>". Errors name the file and line.
Result<std::vector<GuardedQuery>> ReadQueriesFile(const std::string& path, std::string_view text);

// Splits a "-- params:" list at top-level commas (quotes and parentheses
// respected). Exposed for tests.
std::vector<std::string> SplitParams(std::string_view list);

std::string WriteBaselineJson(const Baseline& baseline);
Result<Baseline> ReadBaselineJson(std::string_view text, const std::string& path);

struct CheckThresholds {
  // A cost regression needs both: new/old >= cost_ratio and new-old >= cost_abs.
  double cost_ratio = 2.0;
  double cost_abs = 100.0;
  // ANALYZE: median time new/old >= time_ratio and new-old >= time_abs_ms.
  double time_ratio = 2.0;
  double time_abs_ms = 5.0;
  // ANALYZE: shared buffers new/old >= buffers_ratio and new-old >= buffers_abs.
  double buffers_ratio = 2.0;
  int64_t buffers_abs = 100;
};

// What happened to one guarded query.
struct QueryComparison {
  std::string name;
  std::string display;
  // "unchanged", "changed", "improved" (changed and much cheaper),
  // "regressed", "broken", "missing", or "refused"
  // (the statement gate refused the baseline's text: never sent).
  std::string status;
  // How the query was planned: "" (as written or generic, as in the
  // baseline), "log values" (--values-from, same tag), or "generic
  // fallback: <why>" (log values at capture, none here: generic plans compared).
  std::string values;
  std::vector<std::string> shape_changes;  // human-readable, sorted
  std::vector<std::string> lost_indexes;   // used in the baseline, not any more
  double old_cost = 0, new_cost = 0;
  double old_ms = -1, new_ms = -1;
  int64_t old_blocks = -1, new_blocks = -1;
  std::string error;                            // "broken": why the query no longer plans
  std::vector<std::string> old_tree, new_tree;  // DescribeNode lines, indented
};

// Compares a guarded query's baseline plan with its re-plan through every
// registered plan rule (rules/plan/, plan_rules.h): their findings are
// appended; any error among them makes the query "regressed".
QueryComparison ComparePlans(const BaselineEntry& old_entry, const BaselineEntry& new_entry,
                             const CheckThresholds& thresholds, std::vector<Finding>* findings);

}  // namespace pgsift
