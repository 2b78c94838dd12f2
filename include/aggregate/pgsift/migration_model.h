// The data of migration lint: a migration file split and parsed into
// statements with their context, and the workload a lint run knows about.
// analyzer/db/ reads it too (check applies migrations to a scratch
// database); migration.h has the rules and the functions that fill it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pgsift/finding.h"

namespace pgsift {

// The schema an unqualified relation name resolves to. PostgreSQL's default
// search_path is "$user", public; pgsift cannot tell from a log or a
// migration file whether a schema named after the session's user exists (it
// rarely does), so "$user" is taken as absent and an unqualified name is in
// public. The trace of `check` knows better: it resolves by the scratch
// session's own search_path (AppliedFile::search_path).
inline constexpr const char* kDefaultSchema = "public";
// "schema.name" with `schema` empty resolved to kDefaultSchema: the key of
// LintWorkload::queries_by_table and of IndexCatalog. Names as the parser
// gives them (unquoted identifiers folded to lower case, quoted ones kept).
inline std::string RelationKey(const std::string& schema, const std::string& name) {
  return (schema.empty() ? std::string(kDefaultSchema) : schema) + "." + name;
}

// What a pgsift analyze JSON (schema pgsift.analyze.v1) tells about a table
// and the queries that touch it; filled by LoadLintWorkload.
struct WorkloadQuery {
  uint64_t fingerprint = 0;
  std::string normalized;  // $1, $2: never a literal
  uint64_t calls = 0;
  double total_ms = 0;
  double calls_per_second = 0;
  bool writes = false;  // INSERT/UPDATE/DELETE/MERGE
  // Tables (RelationKey) it inserts into or updates → the columns it sets
  // ("*": a new row, every column: INSERT, MERGE). What a foreign key of
  // that table checks against its referenced table.
  std::map<std::string, std::set<std::string>> sets_columns;
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
  // Tables (RelationKey: "schema.name", an unqualified name in
  // kDefaultSchema) → query indexes that read or write them; from each
  // normalized text's parse tree. A WITH query's name is not a table.
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
  std::string schema;  // of the index and its table ("" as written: kDefaultSchema)
  std::string table;
  std::vector<std::string> columns;  // expressions are left out
  Location defined_at;
};
using IndexCatalog = std::map<std::string, IndexDef>;  // RelationKey of the index → definition

// Column types known from --schema files or earlier migration files, for
// telling a type change that keeps every value (varchar(100) to varchar(200))
// from one that rewrites the table: table → column → its TypeName node.
using ColumnCatalog = std::map<std::string, std::map<std::string, nlohmann::json>>;

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
  // Tables created by a statement the parser could not read (see unparsed)
  // → index of the first statement after it.
  std::map<std::string, size_t> created_unparsed;
  // The tables of created_tables made by CREATE TABLE ... AS (with rows).
  std::set<std::string> created_with_rows;
  int pg_version = 15;  // target server major version
  bool assume_in_transaction = false;
  // golang-migrate (*.up.sql) sends a file as one multi-statement query,
  // which PostgreSQL runs as one implicit transaction when it holds more than
  // one statement (golang-migrate issue #284): CONCURRENTLY fails there.
  bool implicit_multi_statement_transaction = false;
  bool open_transaction_at_end = false;     // BEGIN without COMMIT/ROLLBACK
  std::vector<size_t> unterminated_begins;  // statement indexes
  // Statements the parser (PostgreSQL 15's grammar) could not read in a
  // file for a newer --pg-version: kind and tree empty, not linted by any
  // rule but migration-statement-not-parsed. A table such a statement creates
  // is in created_unparsed (read from its first words). Also, for any
  // version, DO statements whose PL/pgSQL body cannot be compiled without the
  // catalog (error "DO body: ..."; the DO itself is in statements).
  struct Unparsed {
    MigrationStatement statement;
    std::string error;
  };
  std::vector<Unparsed> unparsed;
  const LintWorkload* workload = nullptr;  // null without --workload
  const IndexCatalog* indexes = nullptr;   // known before this file; may be null
  // The type a column had before statement `index` changed it (ALTER COLUMN
  // ... TYPE), where this file, an earlier one or --schema tells:
  // {statement index, column} → TypeName node.
  std::map<std::pair<size_t, std::string>, nlohmann::json> types_before;

  // True when `table` was created by a statement before `index`.
  bool CreatedBefore(const std::string& table, size_t index) const;
  // True when `table` was created empty (CREATE TABLE, not CREATE TABLE ...
  // AS) by a statement before `index`: nothing in it to scan. A table made by
  // CREATE TABLE AS has no traffic yet, but every copied row is scanned by a
  // constraint added to it.
  bool CreatedEmptyBefore(const std::string& table, size_t index) const;
};

struct LintOptions {
  int pg_version = 15;
  // nullopt: per layout (Flyway files are run in a transaction).
  std::optional<bool> assume_in_transaction;
  const LintWorkload* workload = nullptr;
  // Indexes known so far; LoadMigration adds the file's CREATE INDEX and
  // PRIMARY KEY/UNIQUE definitions after taking the file's snapshot.
  IndexCatalog* indexes = nullptr;
  // Column types known so far; LoadMigration reads the types a file's ALTER
  // COLUMN ... TYPE changes from it, then adds the file's columns.
  ColumnCatalog* columns = nullptr;
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

}  // namespace pgsift
