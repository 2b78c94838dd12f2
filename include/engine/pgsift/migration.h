// Migration lint (RuleInput::kMigration): a migration file is split and
// parsed once (analyzer/sql/), each statement carries its parse tree, its
// place in the file and the context squawk lacks (transaction state, tables
// created earlier in the file, target PostgreSQL version, the observed
// workload). Rules read a whole MigrationFile and report findings; they do
// no I/O. Suppression comments are applied by LintMigration, not by rules.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/finding.h"
#include "pgsift/migration_model.h"
#include "pgsift/pgss.h"
#include "pgsift/result.h"
#include "pgsift/rule.h"

namespace pgsift {

class MigrationRule : public Rule {
 public:
  virtual void Check(const MigrationFile& file, FindingSink& sink) const = 0;
  // A finding of this rule at `stmt`, with the statement as snippet and a
  // hash of its text (white space folded) as key_extra, so Finding::Key
  // tells statements apart without depending on line numbers.
  Finding At(const MigrationStatement& stmt, std::string message, std::string help) const;
};

// The part of a migration file its tool applies going up. dbmate keeps
// `-- migrate:up` and `-- migrate:down` sections in one file, goose
// `-- +goose Up` and `-- +goose Down` (any case): the up part ends where the
// down section starts. Both tools run the up part in one transaction unless
// the file says `transaction:false` (dbmate) or `-- +goose NO TRANSACTION`.
// Markers count at the start of a line only, as in both tools; goose's
// `NO TRANSACTION` anywhere in the file. A file whose down section comes
// first, or that has no up section, is refused by its tool: up_end 0 and a
// `problem` (at byte `problem_at`).
struct MigrationSections {
  size_t up_end = 0;                   // the up part is text[0, up_end)
  std::string tool;                    // "dbmate", "goose", or empty (no markers)
  std::optional<bool> in_transaction;  // set when a tool's markers were found
  std::string problem;
  size_t problem_at = 0;
};
MigrationSections FindMigrationSections(std::string_view text);
// A UTF-8 byte order mark at the start becomes three blanks (offsets kept):
// the parser would take it for a syntax error.
void BlankByteOrderMark(std::string* text);

// Splits and parses `text` (the contents of `path`): its up part only
// (FindMigrationSections).
LoadedMigration LoadMigration(const std::string& path, std::string text, const LintOptions& options);

// Runs `rules` over `loaded`, applies `-- pgsift-ignore` comments and adds a
// migration-unused-ignore finding for each ignore that matched nothing (only
// when `report_unused_ignores`). Findings come back sorted.
std::vector<Finding> LintMigration(const LoadedMigration& loaded, const std::vector<const MigrationRule*>& rules,
                                   bool report_unused_ignores);

// Migration files under `paths` (files as given; directories searched
// recursively for .sql, keeping up-migrations only: no *.down.sql, no
// diesel down.sql, no Flyway U*__ undo files, no sqitch revert/ or verify/).
// Sorted per path.
Result<std::vector<std::string>> FindMigrationFiles(const std::vector<std::string>& paths);

// Whether a file's layout runs it inside a transaction by default
// (Flyway V*__*.sql and R__*.sql: yes; diesel's <version>_<name>/up.sql:
// yes unless its metadata.toml says run_in_transaction = false;
// golang-migrate, sqitch, plain: no; dbmate and goose are told by their
// markers, see FindMigrationSections).
bool LayoutAssumesTransaction(const std::string& path);

// Reads a pgsift analyze JSON (pgsift.analyze.v1).
Result<LintWorkload> LoadLintWorkload(const std::string& path);
// Table sizes of a snapshot (or of a live database read like one) into `w`.
void AddSnapshotTables(const Snapshot& snapshot, LintWorkload* w);
// The queries of a snapshot's pg_stat_statements, over the window since its
// stats_reset (PostgreSQL 14+; rates need a window). False, and nothing added,
// without a known window. A window shorter than captured_at's resolution (a
// reset in the capture's second) counts as one second.
bool AddSnapshotQueries(const Snapshot& snapshot, LintWorkload* w);
// Several --workload files: at most one analyze JSON (queries) and at most
// one pgsift snapshot (.json.gz: table sizes, and its pg_stat_statements
// queries when no analyze JSON is given), told apart by content.
Result<LintWorkload> LoadLintWorkload(const std::vector<std::string>& paths);

// Every registered migration rule.
std::vector<std::unique_ptr<MigrationRule>> MakeMigrationRules();

// What a lint run found; the lint renderers (report/lint_report.h) format it.
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

// The migration lint as `pgsift lint` runs it (config file, rule selection,
// --schema index definitions, --workload), shared with `pgsift check`, which
// lints the migrations it applies. Implemented in analyzer/engine/lint_run.cpp.
struct LintRequest {
  std::vector<std::string> paths, enable, disable, schemas;
  std::string fail_on, config_path;
  std::vector<std::string> workload_paths;  // analyze JSON and/or snapshot
  std::string dsn;                          // with use_dsn: table sizes (and statements) from a live database
  bool use_dsn = false;
  int pg_version = 0;
  bool assume_in_transaction = false;
  std::function<void(const std::string&)> warn;  // what does not stop the lint (may be empty)
};

struct LintRun {
  LintReport report;                   // findings sorted, severities as configured
  std::optional<Severity> fail_level;  // nullopt: --fail-on none
};

// Errors: bad config or option, unknown rule, unreadable --workload or
// --schema, no paths. Unreadable or unparseable migrations are report.errors.
Result<LintRun> RunMigrationLint(const LintRequest& request);

}  // namespace pgsift
