// `pgsift lint`: migration SQL in, findings out (text, JSON, SARIF, JUnit,
// GitHub annotations); exit 1 when a finding is at or above --fail-on.
#include <iostream>
#include <map>
#include <memory>

#include "commands.h"
#include "lint_run.h"
#include "pgsift/migration.h"
#include "pgsift/lint_report.h"

namespace pgsift::cli {

namespace {

// --format NAME -> renderer (report/lint_report.h).
const std::map<std::string, std::string (*)(const LintReport&)> kRenderers = {
    {"text", LintText}, {"json", LintJson}, {"sarif", LintSarif}, {"junit", LintJunit}, {"github", LintGithub}};

struct LintState : LintRequest {
  std::string format = "text", output;
  bool list_rules = false;
};

int ListRules() {
  for (const auto& rule : MakeMigrationRules()) {
    const RuleInfo& info = rule->Info();
    std::cout << info.id << "  [" << SeverityName(info.severity) << "]  " << info.summary;
    if (!info.aliases.empty()) {
      std::cout << "  (squawk:";
      for (const auto& a : info.aliases) std::cout << " " << a;
      std::cout << ")";
    }
    std::cout << "\n";
  }
  return kExitOk;
}

}  // namespace

int FinishLintOutput(const std::string& doc, const std::string& output, bool errors_to_stderr,
                     const std::vector<LintDiagnostic>& errors, const std::vector<Finding>& findings,
                     std::optional<Severity> fail_level) {
  if (int written = WriteOutput(output, doc); written != kExitOk) return written;
  if (errors_to_stderr) {
    for (const LintDiagnostic& e : errors) {
      std::cerr << e.location.file << ":" << e.location.line << ": " << e.message << "\n";
    }
  }
  if (!errors.empty()) return kExitError;
  if (fail_level) {
    for (const Finding& f : findings) {
      if (f.severity >= *fail_level) return kExitFindings;
    }
  }
  return kExitOk;
}

namespace {

int RunLint(const LintState& s) {
  if (s.list_rules) return ListRules();
  auto run = RunMigrationLint(s);
  if (!run.ok()) return Fail(run.error());
  const LintReport& report = run->report;
  const std::optional<Severity>& fail_level = run->fail_level;

  std::string doc = kRenderers.at(s.format)(report);
  return FinishLintOutput(doc, s.output, s.format != "text" || !s.output.empty(), report.errors, report.findings,
                          fail_level);
}

}  // namespace

Command AddLintCommand(CLI::App& app) {
  auto s = std::make_shared<LintState>();
  s->warn = [](const std::string& warning) { Say(warning); };
  CLI::App* lint = app.add_subcommand("lint", "Lint migration SQL (squawk's rules, with knowledge of the workload)");
  lint->add_option("paths", s->paths,
                   "Migration files or directories (*.sql; *.up.sql, Flyway V*__*.sql, sqitch deploy/)");
  lint->add_option("--format", s->format, "text, json, sarif, junit, github")
      ->default_val("text")
      ->check(CLI::IsMember({"text", "json", "sarif", "junit", "github"}));
  lint->add_option("--output,-o", s->output, "Write the report to this file instead of stdout");
  lint->add_option("--fail-on", s->fail_on, "Exit 1 on a finding at or above: info, warning, error (default), none");
  lint->add_option("--pg-version", s->pg_version, "Target PostgreSQL major version (default 15)")
      ->check(CLI::Range(9, 30));
  lint->add_flag("--assume-in-transaction", s->assume_in_transaction,
                 "Every file runs inside a transaction (as most migration tools do)");
  lint->add_option("--config", s->config_path, "Settings file (default: ./.pgsift.toml if present)");
  lint->add_option("--workload", s->workload_paths,
                   "pgsift analyze JSON and/or pgsift snapshot (.json.gz), for the workload-aware rules (repeatable)")
      ->allow_extra_args(false);
  lint->add_option("--dsn", s->dsn,
                   "Read table sizes (and pg_stat_statements, when no analyze JSON is given) from this database "
                   "(read-only session; \"\" for $DATABASE_URL or PG* variables)")
      ->each([s](const std::string&) { s->use_dsn = true; });
  lint->add_option("--schema", s->schemas,
                   "Schema SQL (e.g. pg_dump --schema-only) read for index definitions, not linted (repeatable)")
      ->allow_extra_args(false);
  lint->add_option("--enable", s->enable, "Run this rule even if the config disables it (repeatable)")
      ->allow_extra_args(false);
  lint->add_option("--disable", s->disable, "Do not run this rule (repeatable; id or squawk name)")
      ->allow_extra_args(false);
  lint->add_flag("--list-rules", s->list_rules, "List the migration rules and exit");
  return {lint, [s]() { return RunLint(*s); }};
}

}  // namespace pgsift::cli
