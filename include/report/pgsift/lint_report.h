// Outputs of `pgsift lint`, one file per format: lint_text.cpp (terminal
// text and JSON), sarif.cpp (SARIF 2.1.0), junit.cpp (JUnit XML),
// github_annotations.cpp (GitHub Actions workflow commands). Each returns
// the whole document; all are deterministic for the same report.
#pragma once

#include <string>
#include <vector>

#include "pgsift/migration.h"
#include "pgsift/rule.h"

namespace pgsift {

std::string LintText(const LintReport& report);
std::string LintJson(const LintReport& report);
std::string LintSarif(const LintReport& report);
std::string LintJunit(const LintReport& report);
std::string LintGithub(const LintReport& report);

}  // namespace pgsift
