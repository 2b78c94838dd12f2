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
#include "pgsift/pgss.h"
#include "pgsift/result.h"
#include "pgsift/rule.h"

namespace pgsift {

// What a pgsift analyze JSON (schema pgsift.analyze.v1) tells about a table
// and the queries that touch it; filled by LoadLintWorkload.
struct WorkloadQuery {
  uint64_t fingerprint = 0;
  std::string normalized;  // $1, $2: never a literal
  uint64_t calls = 0;
  double total_ms = 0;
  double calls_per_second = 0;
  bool writes = false;  // INSERT/UPDATE/DELETE/MERGE
  // Column names the query filters, joins or sorts on (not its select
  // list): what an index on them may serve.
  std::set<std::string> predicate_columns;
};
// A table's size from a pgsift snapshot (pg_class, pg_stat_user_tables).
struct LintTableSize {
  int64_t size_bytes = 0;   // heap, TOAST and indexes (pg_total_relation_size)
  int64_t live_rows = 0;    // n_live_tup
  int64_t index_bytes = 0;  // its indexes, rebuilt by a rewrite
  size_t indexes = 0;
};

struct LintWorkload {
  double window_seconds = 0;  // time span the analyze JSON covers
  std::vector<WorkloadQuery> queries;
  // Tables (lower-case relation name, unqualified) → query indexes that read
  // or write them; from each normalized text's parse tree.
  std::map<std::string, std::vector<size_t>> queries_by_table;
  // From a snapshot (pgsift snapshot): table → size. A name in several
  // schemas keeps the largest.
  std::map<std::string, LintTableSize> tables;
  std::string tables_from;   // the snapshot's database and capture time
  std::string queries_from;  // the analyze JSON, or the snapshot's pg_stat_statements
};

// An index known from --schema files or earlier migration files: what
// migration-drops-used-index compares with the workload's predicates.
struct IndexDef {
  std::string table;
  std::vector<std::string> columns;  // expressions are left out
  Location defined_at;
};
using IndexCatalog = std::map<std::string, IndexDef>;  // index name → definition

struct MigrationStatement {
  nlohmann::json tree;                 // one node, e.g. {"IndexStmt": {...}}
  std::string kind;                    // the node name, "IndexStmt"
  std::string text;                    // from the first token to the end, without ';'
  Location location;                   // first token (line:column) and end
  uint32_t offset = 0;                 // byte offset of the first token in the file
  bool in_transaction = false;         // after BEGIN, assumed, or inside a DO body
  int transaction_depth = 0;           // explicit BEGINs open before this statement
  bool in_plpgsql = false;             // from a DO block body
  bool lock_timeout_set = false;       // SET lock_timeout seen before
  bool statement_timeout_set = false;  // SET statement_timeout seen before
  const nlohmann::json& Node() const;  // tree[kind]
};

struct MigrationFile {
  std::string path;  // as the user named it
  std::vector<MigrationStatement> statements;
  // Table (relation name, lower-case as the parser gives it) → index of the
  // first statement that created it in this file.
  std::map<std::string, size_t> created_tables;
  int pg_version = 15;  // target server major version
  bool assume_in_transaction = false;
  // golang-migrate (*.up.sql) sends a file as one multi-statement query,
  // which PostgreSQL runs as one implicit transaction when it holds more than
  // one statement (golang-migrate issue #284): CONCURRENTLY fails there.
  bool implicit_multi_statement_transaction = false;
  bool open_transaction_at_end = false;     // BEGIN without COMMIT/ROLLBACK
  std::vector<size_t> unterminated_begins;  // statement indexes
  const LintWorkload* workload = nullptr;   // null without --workload
  const IndexCatalog* indexes = nullptr;    // known before this file; may be null

  // True when `table` was created by a statement before `index`.
  bool CreatedBefore(const std::string& table, size_t index) const;
};

class MigrationRule : public Rule {
 public:
  virtual void Check(const MigrationFile& file, FindingSink& sink) const = 0;
  // A finding of this rule at `stmt`, with the statement as snippet and a
  // hash of its text (white space folded) as key_extra, so Finding::Key
  // tells statements apart without depending on line numbers.
  Finding At(const MigrationStatement& stmt, std::string message, std::string help) const;
};

struct LintOptions {
  int pg_version = 15;
  // nullopt: per layout (Flyway files are run in a transaction).
  std::optional<bool> assume_in_transaction;
  const LintWorkload* workload = nullptr;
  // Indexes known so far; LoadMigration adds the file's CREATE INDEX and
  // PRIMARY KEY/UNIQUE definitions after taking the file's snapshot.
  IndexCatalog* indexes = nullptr;
};

// A syntax error or an unreadable file: file:line: message. Lint goes on
// with the other statements and files.
struct LintDiagnostic {
  Location location;
  std::string message;
};

struct LoadedMigration {
  MigrationFile file;
  std::vector<LintDiagnostic> diagnostics;
  std::string text;                                    // the file contents (suppression comments live there)
  std::shared_ptr<const IndexCatalog> index_snapshot;  // what file.indexes points to
};

// Splits and parses `text` (the contents of `path`).
LoadedMigration LoadMigration(const std::string& path, std::string text, const LintOptions& options);

// Runs `rules` over `loaded`, applies `-- pgsift-ignore` comments and adds a
// migration-unused-ignore finding for each ignore that matched nothing (only
// when `report_unused_ignores`). Findings come back sorted.
std::vector<Finding> LintMigration(const LoadedMigration& loaded, const std::vector<const MigrationRule*>& rules,
                                   bool report_unused_ignores);

// Migration files under `paths` (files as given; directories searched
// recursively for .sql, keeping up-migrations only: no *.down.sql, no
// Flyway U*__ undo files, no sqitch revert/ or verify/). Sorted per path.
Result<std::vector<std::string>> FindMigrationFiles(const std::vector<std::string>& paths);

// Whether a file's layout runs it inside a transaction by default
// (Flyway V*__*.sql and R__*.sql: yes; golang-migrate, sqitch, plain: no).
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
