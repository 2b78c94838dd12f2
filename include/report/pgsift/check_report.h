// Outputs of `pgsift check`: terminal text, Markdown (a pull-request
// comment), JSON; SARIF and JUnit reuse the lint writers (lint_report.h)
// through ToLintReport. All deterministic for the same report; queries are
// shown normalized and plan conditions with literals masked.
#pragma once

#include <string>
#include <vector>

#include "pgsift/check.h"
#include "pgsift/lint_report.h"

namespace pgsift {

std::string CheckText(const CheckReport& report);
std::string CheckMarkdown(const CheckReport& report);
std::string CheckJson(const CheckReport& report);
// The same findings and errors as a LintReport, for LintSarif / LintJunit.
LintReport ToLintReport(const CheckReport& report);

}  // namespace pgsift
