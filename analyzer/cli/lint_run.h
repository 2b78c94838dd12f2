// The migration lint as `pgsift lint` runs it (config file, rule selection,
// --schema index definitions, --workload), shared with `pgsift check`, which
// lints the migrations it applies.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pgsift/result.h"
#include "report/lint_report.h"

namespace pgsift::cli {

struct LintRequest {
  std::vector<std::string> paths, enable, disable, schemas;
  std::string fail_on, config_path;
  std::vector<std::string> workload_paths;  // analyze JSON and/or snapshot
  std::string dsn;                          // with use_dsn: table sizes (and statements) from a live database
  bool use_dsn = false;
  int pg_version = 0;
  bool assume_in_transaction = false;
};

struct LintRun {
  LintReport report;                   // findings sorted, severities as configured
  std::optional<Severity> fail_level;  // nullopt: --fail-on none
};

// Errors: bad config or option, unknown rule, unreadable --workload or
// --schema, no paths. Unreadable or unparseable migrations are report.errors.
Result<LintRun> RunMigrationLint(const LintRequest& request);

// The end of `lint` and `check`: writes `doc` to `output` (stdout when
// empty), repeats the file errors on stderr when `errors_to_stderr` (stdout
// is not the text report), and returns the exit code: 2 with errors, 1 with a
// finding at or above `fail_level`, else 0.
int FinishLintOutput(const std::string& doc, const std::string& output, bool errors_to_stderr,
                     const std::vector<LintDiagnostic>& errors, const std::vector<Finding>& findings,
                     std::optional<Severity> fail_level);

}  // namespace pgsift::cli
