// `pgsift check`: apply migrations to a scratch database, re-plan the
// baseline's guarded queries, report plan regressions (and the migration lint
// findings of the same files). Exit 0 clean, 1 findings at/above --fail-on,
// 2 usage or runtime error (unreadable baseline, syntax error, a migration
// statement that fails).
#include <map>
#include <iostream>
#include <memory>

#include "commands.h"
#include "lint_run.h"
#include "pgsift/check.h"
#include "pgsift/check_report.h"

namespace pgsift::cli {

namespace {

// --format NAME -> renderer (pgsift/check_report.h, pgsift/lint_report.h).
const std::map<std::string, std::string (*)(const CheckReport&)> kRenderers = {
    {"text", CheckText},
    {"markdown", CheckMarkdown},
    {"json", CheckJson},
    {"sarif", [](const CheckReport& r) { return LintSarif(ToLintReport(r)); }},
    {"junit", [](const CheckReport& r) { return LintJunit(ToLintReport(r)); }},
};

struct CheckState {
  CheckRequest request;
  std::string output, format = "text", lint_config;
  bool no_lint = false;
};

int RunCheckCommand(const CheckState& s) {
  std::optional<Severity> fail_level = ParseSeverity(s.request.fail_on);
  if (!fail_level && s.request.fail_on != "none")
    return Fail("--fail-on " + s.request.fail_on + ": expected info, warning, error or none");
  CheckRequest request = s.request;
  request.config_path = s.lint_config;
  if (!s.no_lint) {
    // The lint exactly as `pgsift lint` runs it (.pgsift.toml, --lint-config).
    request.lint = [&s]() -> Result<CheckLint> {
      LintRequest lint_request;
      lint_request.paths = s.request.migrations;
      lint_request.config_path = s.lint_config;
      lint_request.fail_on = "none";
      lint_request.workload_paths = s.request.workload_paths;
      auto lint = RunMigrationLint(lint_request);
      if (!lint.ok()) return Err(lint.error());
      return CheckLint{std::move(lint->report.findings), std::move(lint->report.rules)};
    };
  }
  auto run = RunCheck(request);
  if (!run.ok()) {
    Fail(run.error());
    // Cleaned up; end as the signal asked (128 + its number).
    if (int sig = ScratchInterruptSignal()) return 128 + sig;
    return kExitError;
  }
  for (const std::string& note : run->notes) Say(note);
  for (const std::string& refused : run->refused) SayAs("pgsift check", refused);
  const CheckReport& report = run->report;

  std::string doc = kRenderers.at(s.format)(report);
  return FinishLintOutput(doc, s.output, s.format != "text" || !s.output.empty(), report.errors, report.findings,
                          fail_level);
}

}  // namespace

Command AddCheckCommand(CLI::App& app) {
  auto s = std::make_shared<CheckState>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Apply migrations to a scratch database and compare the guarded queries' plans with a baseline");
  cmd->add_option("--baseline", s->request.baseline_path, "Baseline file from pgsift baseline capture")->required();
  cmd->add_option("--migrations", s->request.migrations, "Migration files or directories, applied in order")
      ->required()
      ->allow_extra_args(false);
  cmd->add_option("--scratch-dsn", s->request.scratch.connect.dsn,
                  "The throw-away database to migrate (default: $DATABASE_URL, then PG* env)");
  cmd->add_option("--create-scratch-from", s->request.scratch.create_from.dsn,
                  "Create the scratch database as a copy of this one (CREATE DATABASE ... TEMPLATE; it must have no "
                  "other sessions), drop it afterwards; the source itself is never changed");
  cmd->add_option("--sample", s->request.scratch.sample_percent,
                  "With --create-scratch-from: fill the new database with the source's schema (pg_dump) and this "
                  "percentage of every table's rows (TABLESAMPLE) instead of a template copy; the source may be in use")
      ->check(CLI::Range(0.0001, 100.0));
  cmd->add_flag("--source-stats", s->request.scratch.source_stats,
                "With --sample: give the sample the source's statistics (row counts from pg_class, column statistics "
                "from pg_stats; heap files grown with rolled-back rows), so it plans like the source; on PostgreSQL "
                "18+ written with pg_restore_relation_stats/pg_restore_attribute_stats as the tables' owner, before 18 "
                "into pg_class/pg_statistic, which needs a superuser on the scratch server");
  cmd->add_option("--grow-cap-mb", s->request.scratch.grow_cap_mb,
                  "With --source-stats: at most this many MB written in total to grow the heap files (default 1024)")
      ->check(CLI::Range(static_cast<uint64_t>(0), static_cast<uint64_t>(1) << 40));
  cmd->add_option("--pg-dump", s->request.scratch.pg_dump, "pg_dump binary for --sample (default: pg_dump on PATH)");
  cmd->add_flag("--scratch-is-disposable", s->request.scratch.confirmed,
                "Confirm that the --scratch-dsn database may be changed (pgsift refuses without it, and unless the "
                "database carries the marker: COMMENT ON DATABASE name IS 'pgsift:scratch')");
  cmd->add_option("--format", s->format, "text, markdown, json, sarif, junit")
      ->default_val("text")
      ->check(CLI::IsMember({"text", "markdown", "json", "sarif", "junit"}));
  cmd->add_option("-o,--output", s->output, "Write the report to this file instead of stdout");
  cmd->add_option("--fail-on", s->request.fail_on,
                  "Exit 1 on a finding at or above: info, warning, error (default), none");
  cmd->add_option("--cost-ratio", s->request.thresholds.cost_ratio, "Cost regression: new/old at least (default 2.0)");
  cmd->add_option("--cost-abs", s->request.thresholds.cost_abs, "Cost regression: new-old at least (default 100)");
  cmd->add_option("--time-ratio", s->request.thresholds.time_ratio,
                  "ANALYZE: median time new/old at least (default 2.0)");
  cmd->add_option("--time-ms", s->request.thresholds.time_abs_ms,
                  "ANALYZE: median time new-old at least, ms (default 5)");
  cmd->add_option("--buffers-ratio", s->request.thresholds.buffers_ratio,
                  "ANALYZE: buffers new/old at least (default 2.0)");
  cmd->add_option("--buffers-abs", s->request.thresholds.buffers_abs,
                  "ANALYZE: buffers new-old at least (default 100)");
  cmd->add_option("--repeats", s->request.repeats, "ANALYZE runs per query (default: as in the baseline)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--lint-config", s->lint_config,
                  "Settings: the lint's, and [rules] for the plan rules (default: ./.pgsift.toml if present)");
  cmd->add_flag("--no-lint", s->no_lint, "Do not run the migration lint rules on the migrations");
  cmd->add_option("--workload", s->request.workload_paths,
                  "pgsift analyze JSON and/or pgsift snapshot (.json.gz), as lint --workload: the lock trace shows the "
                  "queries per second that would wait for each blocked table, and for how long (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--show-values", s->request.show_values, "Keep literals in plan conditions");
  cmd->add_option("--values-from", s->request.values.paths,
                  "Server logs the baseline's log values were taken from (baseline capture --values-from): the same "
                  "values are re-planned; without them those queries are compared on generic plans")
      ->allow_extra_args(false);
  cmd->add_option("--prefix", s->request.values.prefix,
                  "log_line_prefix of stderr --values-from logs (default: inferred)");
  AddLogZoneOption(cmd);
  cmd->add_option("--statement-timeout", s->request.scratch.connect.statement_timeout_ms, "Milliseconds per statement")
      ->default_val(60000);
  cmd->add_option("--lock-timeout", s->request.scratch.connect.lock_timeout_ms, "Milliseconds to wait for a lock")
      ->default_val(2000);
  return {cmd, [s]() { return RunCheckCommand(*s); }};
}

}  // namespace pgsift::cli
