// RunMigrationLint: `pgsift lint`'s settings (.pgsift.toml [lint] and
// [rules], flags), workload and index definitions read, then every file linted.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pgsift/config.h"
#include "pgsift/db.h"
#include "pgsift/indexes.h"
#include "pgsift/migration.h"
#include "pgsift/schema.h"

namespace pgsift {

Result<LintRun> RunMigrationLint(const LintRequest& s) {
  RuleSelection selection;
  selection.configure_disabled = false;
  auto loaded = LoadProjectConfig(s.config_path);
  if (!loaded.ok()) return Err(loaded.error());
  selection.config = std::move(*loaded);
  const Config& config = selection.config;

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
    std::filesystem::path base = std::filesystem::path(config.path).parent_path();
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
      if (s.warn) {
        s.warn(
            "lint --dsn: pg_stat_statements has no stats_reset time (PostgreSQL < 14), so query rates are "
            "unknown: migration-locks-hot-table needs --workload ANALYZE.json");
      }
    }
  }

  // Which rules run (RuleSelection): [rules] enable (if any) narrows, then
  // disables, then per-rule enabled, then the command line.
  RuleFlags flags;
  flags.enable = s.enable;
  flags.disable = s.disable;
  flags.flag_in_errors = false;
  Status named = AddRuleFlags(flags, &selection);
  if (!named.ok()) return Err(named.error());
  auto all = MakeMigrationRules();
  auto selected = SelectRules(all, selection);
  if (!selected.ok()) return Err(selected.error());
  std::vector<const MigrationRule*> active;
  LintReport report;
  report.pg_version = options.pg_version;
  report.rules = selected->infos;
  bool report_unused = false;
  for (const MigrationRule* rule : selected->active) {
    if (rule->Info().id == "migration-unused-ignore") {
      report_unused = true;
    } else {
      active.push_back(rule);
    }
  }

  // Index definitions from --schema files, then from each linted file in
  // order, for the rules that compare a dropped index with the workload.
  // Only the rules that compare with a workload read them (drops-used-index,
  // locks-hot-table): without one the catalog is not kept, and LoadMigration
  // does not copy it for every file (with ~1,500 files that copy took a
  // third of lint's time).
  IndexCatalog indexes;
  if (workload) options.indexes = &indexes;
  // Column types likewise (kept always: only CREATE TABLE and ADD COLUMN add
  // to it, and only ALTER COLUMN TYPE reads it).
  ColumnCatalog columns;
  options.columns = &columns;
  for (const std::string& schema : s.schemas) {
    std::ifstream in(schema, std::ios::binary);
    if (!in) return Err(schema + ": cannot read");
    std::ostringstream text;
    text << in.rdbuf();
    // A pg_dump file: its psql meta-commands (\restrict) are not SQL.
    LoadedMigration loaded = LoadMigration(schema, WithoutMetaCommands(text.str()), options);
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
        std::string key = RelationKey(table.schema, index.name);
        if (indexes.count(key)) continue;
        IndexDef def;
        def.schema = table.schema;
        def.table = table.name;
        for (const std::string& column : index.columns) {
          if (column.find('(') == std::string::npos) def.columns.push_back(column);  // expressions left out
        }
        def.defined_at.file = "live database";
        indexes[key] = std::move(def);
      }
    }
  }

  auto files = FindMigrationFiles(paths);
  if (!files.ok()) return Err(files.error());
  for (const std::string& path : *files) {
    report.files.push_back(path);
    // A FIFO, socket or device named *.sql in a migrations directory would
    // block the read or never end: not a migration file.
    std::error_code type_error;
    std::filesystem::file_type type = std::filesystem::status(path, type_error).type();
    if (type != std::filesystem::file_type::regular) {
      report.errors.push_back({{path, 0, 0, 0, 0},
                               type == std::filesystem::file_type::not_found
                                   ? "a link to nothing (dangling symbolic link): not read"
                                   : "not a regular file (a FIFO, socket or device): not read"});
      continue;
    }
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
  ApplySeverities(selected->severities, &report.findings);
  SortFindings(&report.findings);
  return LintRun{std::move(report), fail_level};
}

}  // namespace pgsift
