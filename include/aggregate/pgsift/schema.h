// A database schema as the index advisor and the index rules see it:
// tables, columns, indexes, foreign keys and their statistics, read from
// schema/migration files (indexes.h) or a live database (db_schema.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/finding.h"
#include "pgsift/query_predicates.h"
#include "pgsift/result.h"

namespace pgsift {

struct SchemaIndex {
  std::string name;
  std::vector<std::string> columns;            // key columns; expressions in canonical form
  std::vector<std::string> opclasses;          // per key column; "" the default (may be shorter)
  std::vector<std::string> predicate_columns;  // columns in a partial index's WHERE
  bool partial = false;
  bool unique = false;
  bool primary = false;
  bool constraint = false;  // backs a PRIMARY KEY / UNIQUE / EXCLUDE constraint
  bool valid = true;        // pg_index.indisvalid (live only)
  std::string method = "btree";
  int64_t idx_scan = -1;    // -1: unknown (offline)
  int64_t size_bytes = -1;  // -1: unknown
  bool stats_only = false;  // from a snapshot: columns unknown
  // Equal keys on one table: the same index (live: catalog definition; offline:
  // method, uniqueness and columns of non-partial indexes).
  std::string definition_key;
};

struct ForeignKey {
  std::string name;
  std::vector<std::string> columns;
  std::string ref_table;  // "schema.table"
};

struct SchemaTable {
  std::string schema = "public";
  std::string name;
  std::vector<std::string> columns;
  std::vector<SchemaIndex> indexes;
  std::vector<ForeignKey> foreign_keys;
  // Statistics, -1 when unknown (offline schema).
  int64_t rows = -1, size_bytes = -1, seq_scan = -1, idx_scan = -1;
  int64_t n_tup_ins = -1, n_tup_upd = -1, n_tup_del = -1;
  int64_t n_tup_hot_upd = -1;  // updates that wrote no index entry (HOT)
  bool HasColumn(const std::string& column) const;
  std::string QualifiedName() const { return schema + "." + name; }
};

struct Schema {
  std::string source;  // "files" | "live"
  // The database's default collation (pg_database.datcollate); "" unknown
  // (offline). A LIKE prefix can use a plain btree only under C / POSIX.
  std::string collation;
  // Seconds the live statistics cover (since pg_stat_database.stats_reset,
  // else since the server started); -1 unknown. Turns counts into rates.
  int64_t stats_seconds = -1;
  std::map<std::string, SchemaTable> tables;  // by "schema.table"
  // `schema` "" means the search path, taken as public.
  const SchemaTable* Find(const std::string& schema, const std::string& table) const;
  SchemaTable* Find(const std::string& schema, const std::string& table);
  ColumnLookup Lookup() const;
};

// Applies the DDL in `sql` (CREATE TABLE, ALTER TABLE ADD COLUMN/CONSTRAINT,
// CREATE INDEX, DROP TABLE/INDEX, as pg_dump --schema-only or migrations
// write them). Other statements are ignored. A syntax error fails with
// file:line.
Status ApplySchemaSql(std::string_view sql, const std::string& file, Schema* schema);

// `text` with psql meta-command lines (pg_dump 15.14+ writes \restrict and
// \unrestrict) blanked, line numbers kept: they are not SQL.
std::string WithoutMetaCommands(std::string_view text);

}  // namespace pgsift
