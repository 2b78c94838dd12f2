// `pgsift lint`: migration SQL in, findings out (text, JSON, SARIF, JUnit,
// GitHub annotations); exit 1 when a finding is at or above --fail-on.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "cli/lint_run.h"
#include "pgsift/config.h"
#include "pgsift/db.h"
#include "pgsift/indexes.h"
#include "pgsift/migration.h"
#include "report/lint_report.h"

namespace pgsift::cli {

namespace {

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

Result<LintRun> RunMigrationLint(const LintRequest& s) {
  Config config;
  std::string config_path = s.config_path;
  if (config_path.empty() && std::filesystem::exists(".pgsift.toml")) config_path = ".pgsift.toml";
  if (!config_path.empty()) {
    auto loaded = LoadConfig(config_path);
    if (!loaded.ok()) return Err(loaded.error());
    config = std::move(*loaded);
  }

  LintOptions options;
  options.pg_version = s.pg_version ? s.pg_version : config.lint.pg_version.value_or(15);
  if (s.assume_in_transaction) {
    options.assume_in_transaction = true;
  } else if (config.lint.assume_in_transaction) {
    options.assume_in_transaction = *config.lint.assume_in_transaction;
  }
  std::string fail_on = !s.fail_on.empty() ? s.fail_on : config.lint.fail_on.value_or("error");
  std::optional<Severity> fail_level = ParseSeverity(fail_on);
  if (!fail_level && fail_on != "none") return Err("--fail-on " + fail_on + ": expected info, warning, error or none");

  std::vector<std::string> paths = s.paths;
  if (paths.empty()) {
    std::filesystem::path base = std::filesystem::path(config_path).parent_path();
    for (const std::string& p : config.lint.paths) paths.push_back((base / p).lexically_normal().string());
  }
  if (paths.empty()) return Err("lint: no files given (and no [lint] paths in .pgsift.toml)");

  std::optional<LintWorkload> workload;
  if (!s.workload_paths.empty() || s.use_dsn) {
    auto w = LoadLintWorkload(s.workload_paths);
    if (!w.ok()) return Err(w.error());
    workload = std::move(*w);
    options.workload = &*workload;
  }
  if (s.use_dsn) {
    if (!workload->tables.empty()) return Err("lint: --dsn and a --workload snapshot both give table sizes: pick one");
    ConnectOptions connect;
    connect.dsn = s.dsn;
    connect.statements_optional = true;
    auto live = TakeSnapshot(connect);
    if (!live.ok()) return Err(live.error());
    AddSnapshotTables(*live, &*workload);
    // Its pg_stat_statements stand in for an analyze JSON when none is given.
    if (workload->queries.empty() && !live->entries.empty() && !AddSnapshotQueries(*live, &*workload)) {
      std::cerr << "pgsift: lint --dsn: pg_stat_statements has no stats_reset time (PostgreSQL < 14), so query "
                   "rates are unknown: migration-locks-hot-table needs --workload ANALYZE.json\n";
    }
  }

  // Which rules run: [rules] enable (if any) narrows, then disables, then
  // per-rule enabled, then the command line.
  std::set<std::string> cli_enable, cli_disable;
  for (const auto& [list, out] : {std::pair{&s.enable, &cli_enable}, std::pair{&s.disable, &cli_disable}}) {
    for (const std::string& name : *list) {
      auto rule = MakeRule(name);
      if (!rule) return Err("unknown rule " + name);
      out->insert(rule->Info().id);
    }
  }
  auto all = MakeMigrationRules();
  std::vector<const MigrationRule*> active;
  LintReport report;
  report.pg_version = options.pg_version;
  bool report_unused = false;
  for (auto& rule : all) {
    const std::string& id = rule->Info().id;
    bool on = config.enable.empty() || std::count(config.enable.begin(), config.enable.end(), id);
    if (std::count(config.disable.begin(), config.disable.end(), id)) on = false;
    auto rc = config.rules.find(id);
    if (rc != config.rules.end() && rc->second.enabled) on = *rc->second.enabled;
    if (cli_enable.count(id)) on = true;
    if (cli_disable.count(id)) on = false;
    if (!on) continue;
    Status configured = rule->Configure(rc != config.rules.end() ? rc->second.options : RuleOptions{});
    if (!configured.ok()) return Err(id + ": " + configured.error());
    RuleInfo info = rule->Info();
    if (rc != config.rules.end() && rc->second.severity) info.severity = *rc->second.severity;
    report.rules.push_back(info);
    if (id == "migration-unused-ignore") {
      report_unused = true;
    } else {
      active.push_back(rule.get());
    }
  }

  // Index definitions from --schema files, then from each linted file in
  // order, for the rules that compare a dropped index with the workload.
  IndexCatalog indexes;
  options.indexes = &indexes;
  for (const std::string& schema : s.schemas) {
    std::ifstream in(schema, std::ios::binary);
    if (!in) return Err(schema + ": cannot read");
    std::ostringstream text;
    text << in.rdbuf();
    LoadedMigration loaded = LoadMigration(schema, text.str(), options);
    for (LintDiagnostic& d : loaded.diagnostics) report.errors.push_back(std::move(d));
  }

  // With --dsn, the live database's indexes too (what --schema would give).
  if (s.use_dsn) {
    ConnectOptions connect;
    connect.dsn = s.dsn;
    auto live = ReadLiveSchema(connect);
    if (!live.ok()) return Err(live.error());
    for (const auto& [qualified, table] : live->tables) {
      for (const SchemaIndex& index : table.indexes) {
        if (indexes.count(index.name)) continue;
        IndexDef def;
        def.table = table.name;
        for (const std::string& column : index.columns) {
          if (column.find('(') == std::string::npos) def.columns.push_back(column);  // expressions left out
        }
        def.defined_at.file = "live database";
        indexes[index.name] = std::move(def);
      }
    }
  }

  auto files = FindMigrationFiles(paths);
  if (!files.ok()) return Err(files.error());
  for (const std::string& path : *files) {
    report.files.push_back(path);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      report.errors.push_back({{path, 0, 0, 0, 0}, "cannot read"});
      continue;
    }
    std::ostringstream text;
    text << in.rdbuf();
    LoadedMigration loaded = LoadMigration(path, text.str(), options);
    for (LintDiagnostic& d : loaded.diagnostics) report.errors.push_back(std::move(d));
    for (Finding& f : LintMigration(loaded, active, report_unused)) report.findings.push_back(std::move(f));
  }
  for (Finding& f : report.findings) {
    for (const RuleInfo& info : report.rules) {
      if (info.id == f.rule_id) f.severity = info.severity;
    }
  }
  SortFindings(&report.findings);
  return LintRun{std::move(report), fail_level};
}

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

  std::string doc;
  if (s.format == "text") {
    doc = LintText(report);
  } else if (s.format == "json") {
    doc = LintJson(report);
  } else if (s.format == "sarif") {
    doc = LintSarif(report);
  } else if (s.format == "junit") {
    doc = LintJunit(report);
  } else {
    doc = LintGithub(report);
  }
  return FinishLintOutput(doc, s.output, s.format != "text" || !s.output.empty(), report.errors, report.findings,
                          fail_level);
}

}  // namespace

Command AddLintCommand(CLI::App& app) {
  auto s = std::make_shared<LintState>();
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
