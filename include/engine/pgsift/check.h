// `pgsift check`: apply migrations to a scratch database, re-plan the
// baseline's guarded queries and compare them with the baseline through the
// plan rules (plan_rules.h), together with the migration lint's findings of
// the same files. The CLI parses flags, calls RunCheck and renders the report
// (report/check_report.h).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pgsift/baseline.h"
#include "pgsift/check_trace.h"
#include "pgsift/finding.h"
#include "pgsift/log_values.h"
#include "pgsift/migration.h"
#include "pgsift/result.h"
#include "pgsift/rule.h"
#include "pgsift/scratch.h"

namespace pgsift {

struct CheckReport {
  std::string baseline_path;
  std::vector<std::string> migrations;  // applied, in order (not the one that failed)
  // The migration file that failed (its error is in `errors`), and whether
  // it was rolled back (it ran in one transaction) or partly applied.
  std::string failed_migration;
  bool failed_rolled_back = false;
  std::string statistics;  // how the scratch database got its statistics
  bool analyze = false;
  // Planner settings that differ between the baseline source and the
  // scratch database: name -> {baseline, scratch}. Plans may differ for that
  // reason alone, so the report says so.
  std::map<std::string, std::pair<std::string, std::string>> settings_diff;
  int baseline_server = 0, scratch_server = 0;
  // Relations whose row estimate differs by more than 10% between the
  // baseline source and the scratch database: name -> {baseline, scratch}.
  std::map<std::string, std::pair<int64_t, int64_t>> rows_diff;
  size_t relations_compared = 0;
  std::vector<QueryComparison> queries;  // baseline order (by name)
  std::vector<Finding> findings;         // plan and lint findings, sorted
  std::vector<LintDiagnostic> errors;    // migration failures, syntax errors
  std::vector<RuleInfo> rules;           // rules that could report (SARIF)
  std::string fail_on = "error";
  // Which log-valued queries were planned with the capture's values and
  // which generically, and why (names only, never values).
  std::vector<std::string> values_notes;
  // Per applied migration file (in order): what each statement locked and
  // rewrote on the scratch database, against the lint (check_trace.h).
  std::vector<FileTrace> traces;
};

// The migration lint's part of a check: its findings and the rules that ran.
struct CheckLint {
  std::vector<Finding> findings;
  std::vector<RuleInfo> rules;
};

struct CheckRequest {
  std::string baseline_path;
  std::vector<std::string> migrations;  // files or directories, applied in order
  ScratchOptions scratch;
  CheckThresholds thresholds;
  bool show_values = false;       // keep literals in plan conditions
  LogValuesOptions values;        // --values-from, --prefix
  int repeats = 0;                // ANALYZE runs per query; 0: as in the baseline
  std::string fail_on = "error";  // copied into the report
  // Project settings (.pgsift.toml; "" reads ./.pgsift.toml when it exists):
  // their [rules] enable, disable and severities apply to the plan rules.
  std::string config_path;
  // The migration lint as `pgsift lint` runs it, called once the baseline
  // and the migration paths were read; empty: no lint (--no-lint).
  std::function<Result<CheckLint>()> lint;
  // --workload: analyze JSON and/or snapshot, read as `lint --workload` reads
  // them (LoadLintWorkload): the lock trace says which queries would wait.
  std::vector<std::string> workload_paths;
};

struct CheckRun {
  CheckReport report;  // findings sorted
  // For stderr, in this order: the scratch run's notes, then one line per
  // guarded query the statement gate refused (never sent).
  std::vector<std::string> notes;
  std::vector<std::string> refused;
};

// Errors: unreadable or invalid baseline, bad option combination (--sample
// without --create-scratch-from, --source-stats without --sample), no
// migration files, a lint error, unreadable --values-from logs, a scratch
// database that cannot be used, or an interrupt (then
// ScratchInterruptSignal() is not 0). Migrations that do not parse or fail
// on the scratch database are report.errors.
Result<CheckRun> RunCheck(const CheckRequest& request);

}  // namespace pgsift
