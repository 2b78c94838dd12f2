// Outputs of `pgsift check`: terminal text, Markdown (a pull-request
// comment), JSON; SARIF and JUnit reuse the lint writers (lint_report.h)
// through ToLintReport. All deterministic for the same report; queries are
// shown normalized and plan conditions with literals masked.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pgsift/baseline.h"
#include "report/lint_report.h"

namespace pgsift {

struct CheckReport {
  std::string baseline_path;
  std::vector<std::string> migrations;  // applied, in order
  std::string statistics;               // how the scratch database got its statistics
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
};

std::string CheckText(const CheckReport& report);
std::string CheckMarkdown(const CheckReport& report);
std::string CheckJson(const CheckReport& report);
// The same findings and errors as a LintReport, for LintSarif / LintJunit.
LintReport ToLintReport(const CheckReport& report);

// The plan-* rules `pgsift check` reports (ids, severities, docs).
std::vector<RuleInfo> PlanRuleInfos();

}  // namespace pgsift
