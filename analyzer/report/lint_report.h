// Outputs of `pgsift lint`, one file per format: lint_text.cpp (terminal
// text and JSON), sarif.cpp (SARIF 2.1.0), junit.cpp (JUnit XML),
// github_annotations.cpp (GitHub Actions workflow commands). Each returns
// the whole document; all are deterministic for the same report.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pgsift/migration.h"
#include "pgsift/rule.h"

namespace pgsift {

struct LintReport {
  std::vector<std::string> files;      // every file linted, in order
  std::vector<Finding> findings;       // sorted
  std::vector<LintDiagnostic> errors;  // syntax errors, unreadable files
  std::vector<RuleInfo> rules;         // the rules that ran (SARIF metadata)
  int pg_version = 15;
  // Run-level facts (check: "statistics", how the scratch database got its
  // statistics): SARIF run.properties, JUnit <properties> of every suite.
  std::map<std::string, std::string> properties;
};

std::string LintText(const LintReport& report);
std::string LintJson(const LintReport& report);
std::string LintSarif(const LintReport& report);
std::string LintJunit(const LintReport& report);
std::string LintGithub(const LintReport& report);

}  // namespace pgsift
