// The end of `pgsift lint` and `pgsift check`, which lints the migrations it
// applies: the lint itself is RunMigrationLint (pgsift/migration.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pgsift/migration.h"
#include "pgsift/result.h"
#include "pgsift/lint_report.h"

namespace pgsift::cli {

// The end of `lint` and `check`: writes `doc` to `output` (stdout when
// empty), repeats the file errors on stderr when `errors_to_stderr` (stdout
// is not the text report), and returns the exit code: 2 with errors, 1 with a
// finding at or above `fail_level`, else 0.
int FinishLintOutput(const std::string& doc, const std::string& output, bool errors_to_stderr,
                     const std::vector<LintDiagnostic>& errors, const std::vector<Finding>& findings,
                     std::optional<Severity> fail_level);

}  // namespace pgsift::cli
