// `pgsift check`: apply migrations to a scratch database, re-plan the
// baseline's guarded queries, report plan regressions (and the migration lint
// findings of the same files). Exit 0 clean, 1 findings at/above --fail-on,
// 2 usage or runtime error (unreadable baseline, syntax error, a migration
// statement that fails).
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/lint_run.h"
#include "pgsift/scratch.h"
#include "report/check_report.h"

namespace pgsift::cli {

namespace {

struct CheckState {
  ScratchOptions scratch;
  std::string baseline_path, output, format = "text", fail_on = "error", lint_config;
  std::vector<std::string> migrations;
  CheckThresholds thresholds;
  bool no_lint = false, show_values = false;
  int repeats = 0;  // 0: as in the baseline
};

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(path + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int RunCheck(const CheckState& s) {
  std::optional<Severity> fail_level = ParseSeverity(s.fail_on);
  if (!fail_level && s.fail_on != "none")
    return Fail("--fail-on " + s.fail_on + ": expected info, warning, error or none");
  auto text = ReadText(s.baseline_path);
  if (!text.ok()) return Fail(text.error());
  auto baseline = ReadBaselineJson(*text, s.baseline_path);
  if (!baseline.ok()) return Fail(baseline.error());

  CheckReport report;
  report.baseline_path = s.baseline_path;
  report.analyze = baseline->analyze;
  report.fail_on = s.fail_on;
  report.rules = PlanRuleInfos();
  report.baseline_server = baseline->server_major;

  // Parse every migration first: a syntax error stops before anything runs.
  auto files = FindMigrationFiles(s.migrations);
  if (!files.ok()) return Fail(files.error());
  if (files->empty()) return Fail("no migration files found in the --migrations paths");
  LintOptions lint_options;
  IndexCatalog indexes;
  lint_options.indexes = &indexes;
  std::vector<LoadedMigration> loaded;
  if (!s.no_lint) {
    // The lint exactly as `pgsift lint` runs it (.pgsift.toml, --lint-config);
    // its syntax errors are the same as the ones found below.
    LintRequest request;
    request.paths = s.migrations;
    request.config_path = s.lint_config;
    request.fail_on = "none";
    auto lint = RunMigrationLint(request);
    if (!lint.ok()) return Fail(lint.error());
    for (Finding& f : lint->report.findings) report.findings.push_back(std::move(f));
    for (RuleInfo& r : lint->report.rules) report.rules.push_back(std::move(r));
  }
  for (const std::string& path : *files) {
    auto t = ReadText(path);
    if (!t.ok()) {
      report.errors.push_back({{path, 0, 0, 0, 0}, "cannot read"});
      continue;
    }
    loaded.push_back(LoadMigration(path, *t, lint_options));
    for (const LintDiagnostic& d : loaded.back().diagnostics) report.errors.push_back(d);
  }

  if (report.errors.empty()) {
    PlanOptions plan_options;
    plan_options.analyze = baseline->analyze;
    plan_options.repeats = s.repeats > 0 ? s.repeats : baseline->repeats;
    plan_options.show_values = s.show_values;
    auto run = RunOnScratch(s.scratch, loaded, *baseline, plan_options);
    if (!run.ok()) return Fail(run.error());
    report.statistics = run->statistics;
    report.scratch_server = run->server_major;
    for (const AppliedFile& a : run->applied) report.migrations.push_back(a.path);
    if (run->migration_error) {
      report.errors.push_back(*run->migration_error);
    } else {
      for (const auto& [name, value] : baseline->settings) {
        auto it = run->settings.find(name);
        std::string now = it == run->settings.end() ? "(unset)" : it->second;
        if (now != value) report.settings_diff[name] = {value, now};
      }
      for (const auto& [name, before] : baseline->relation_rows) {
        auto it = run->relation_rows.find(name);
        int64_t after = it == run->relation_rows.end() ? -1 : it->second;
        ++report.relations_compared;
        double lo = static_cast<double>(before) * 0.9, hi = static_cast<double>(before) * 1.1;
        if (static_cast<double>(after) < lo || static_cast<double>(after) > hi)
          report.rows_diff[name] = {before, after};
      }
      std::map<std::string, const BaselineEntry*> replans;
      for (const BaselineEntry& e : run->replans) replans[e.name] = &e;
      for (const BaselineEntry& old_e : baseline->queries) {
        auto it = replans.find(old_e.name);
        std::vector<Finding> found;
        QueryComparison c;
        if (it == replans.end()) {
          c.name = old_e.name;
          c.display = old_e.display;
          c.status = "broken";
          c.old_cost = old_e.plan.total_cost;
          auto err = run->errors.find(old_e.name);
          c.error = err == run->errors.end() ? "not re-planned" : err->second;
          QueryComparison tree = ComparePlans(old_e, old_e, s.thresholds, &found);
          found.clear();
          c.old_tree = tree.old_tree;
          Finding f;
          f.rule_id = "plan-query-broken";
          f.severity = Severity::kError;
          f.message = c.name + ": no longer plans after the migrations: " + c.error;
          f.help = "The migration broke this query (a dropped column or table, a type the query no longer matches).";
          f.key_extra = c.name;
          found.push_back(std::move(f));
        } else {
          c = ComparePlans(old_e, *it->second, s.thresholds, &found);
        }
        for (Finding& f : found) {
          f.location.file = s.baseline_path;
          report.findings.push_back(std::move(f));
        }
        report.queries.push_back(std::move(c));
      }
    }
  } else {
    report.statistics = "not reached (migration files did not parse)";
  }
  SortFindings(&report.findings);

  std::string doc;
  if (s.format == "text") {
    doc = CheckText(report);
  } else if (s.format == "markdown") {
    doc = CheckMarkdown(report);
  } else if (s.format == "json") {
    doc = CheckJson(report);
  } else if (s.format == "sarif") {
    doc = LintSarif(ToLintReport(report));
  } else {
    doc = LintJunit(ToLintReport(report));
  }
  return FinishLintOutput(doc, s.output, s.format != "text" || !s.output.empty(), report.errors, report.findings,
                          fail_level);
}

}  // namespace

Command AddCheckCommand(CLI::App& app) {
  auto s = std::make_shared<CheckState>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Apply migrations to a scratch database and compare the guarded queries' plans with a baseline");
  cmd->add_option("--baseline", s->baseline_path, "Baseline file from pgsift baseline capture")->required();
  cmd->add_option("--migrations", s->migrations, "Migration files or directories, applied in order")
      ->required()
      ->allow_extra_args(false);
  cmd->add_option("--scratch-dsn", s->scratch.connect.dsn,
                  "The throw-away database to migrate (default: $DATABASE_URL, then PG* env)");
  cmd->add_option("--create-scratch-from", s->scratch.create_from.dsn,
                  "Create the scratch database as a copy of this one (CREATE DATABASE ... TEMPLATE; it must have no "
                  "other sessions), drop it afterwards; the source itself is never changed");
  cmd->add_flag("--scratch-is-disposable", s->scratch.confirmed,
                "Confirm that the scratch database may be changed (pgsift refuses without it)");
  cmd->add_option("--format", s->format, "text, markdown, json, sarif, junit")
      ->default_val("text")
      ->check(CLI::IsMember({"text", "markdown", "json", "sarif", "junit"}));
  cmd->add_option("-o,--output", s->output, "Write the report to this file instead of stdout");
  cmd->add_option("--fail-on", s->fail_on, "Exit 1 on a finding at or above: info, warning, error (default), none");
  cmd->add_option("--cost-ratio", s->thresholds.cost_ratio, "Cost regression: new/old at least (default 2.0)");
  cmd->add_option("--cost-abs", s->thresholds.cost_abs, "Cost regression: new-old at least (default 100)");
  cmd->add_option("--time-ratio", s->thresholds.time_ratio, "ANALYZE: median time new/old at least (default 2.0)");
  cmd->add_option("--time-ms", s->thresholds.time_abs_ms, "ANALYZE: median time new-old at least, ms (default 5)");
  cmd->add_option("--buffers-ratio", s->thresholds.buffers_ratio, "ANALYZE: buffers new/old at least (default 2.0)");
  cmd->add_option("--buffers-abs", s->thresholds.buffers_abs, "ANALYZE: buffers new-old at least (default 100)");
  cmd->add_option("--repeats", s->repeats, "ANALYZE runs per query (default: as in the baseline)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--lint-config", s->lint_config, "Settings for the lint (default: ./.pgsift.toml if present)");
  cmd->add_flag("--no-lint", s->no_lint, "Do not run the migration lint rules on the migrations");
  cmd->add_flag("--show-values", s->show_values, "Keep literals in plan conditions");
  cmd->add_option("--statement-timeout", s->scratch.connect.statement_timeout_ms, "Milliseconds per statement")
      ->default_val(60000);
  cmd->add_option("--lock-timeout", s->scratch.connect.lock_timeout_ms, "Milliseconds to wait for a lock")
      ->default_val(2000);
  return {cmd, [s]() { return RunCheck(*s); }};
}

}  // namespace pgsift::cli
