// Small helpers over libpg_query JSON nodes shared by the migration rules.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pgsift/migration.h"
#include "pgsift/parse_tree.h"

namespace pgsift::migration {

using Json = nlohmann::json;

// The parse-tree accessors (sql/parse_tree.h): Member, Str, Bool, Sval.
using sql::Bool;
using sql::Member;
using sql::Str;
using sql::Sval;

// "schema.name" or "name" of a RangeVar.
std::string QualifiedName(const Json& range_var);
// The relation name alone, the key of MigrationFile::created_tables.
std::string RelName(const Json& range_var);
// Its schema as written ("" when unqualified).
std::string SchemaName(const Json& range_var);

// Last element of a TypeName's names ("int4", "varchar", "serial").
std::string TypeBaseName(const Json& type_name);
// The type as written back for messages: "varchar(255)", "int4".
std::string TypeDisplay(const Json& type_name);

// Each AlterTableCmd node of an AlterTableStmt (on tables).
std::vector<const Json*> AlterCmds(const MigrationStatement& st);
// Column definitions a statement adds or creates: ALTER TABLE ADD COLUMN
// and CREATE TABLE columns.
struct ColumnDefAt {
  const Json* def;    // ColumnDef node
  std::string table;  // relation name
  bool in_create_table;
};
std::vector<ColumnDefAt> ColumnDefs(const MigrationStatement& st);

// Constraint nodes of a ColumnDef.
std::vector<const Json*> ColumnConstraints(const Json& column_def);

// Column types a statement sets: new columns and ALTER COLUMN ... TYPE.
struct TypedColumn {
  std::string column;
  const Json* type_name;
};
std::vector<TypedColumn> TypedColumns(const MigrationStatement& st);

// The table a statement locks in a way that blocks other sessions' writes
// (ALTER TABLE, plain CREATE INDEX, DROP/TRUNCATE/RENAME/REINDEX, VACUUM FULL
// and CLUSTER of a table,
// the table a new table's foreign key references),
// or "" for statements that take no such lock.
std::string LockedTable(const MigrationStatement& st);

// The lock a statement takes that blocks other sessions: on which table,
// in which mode, and whether plain reads wait too (ACCESS EXCLUSIVE) or
// only writes (SHARE for CREATE INDEX, SHARE ROW EXCLUSIVE for a foreign
// key; LOCK TABLE ... IN SHARE MODE or stronger: the mode it names, on its
// first table). nullopt for statements that block neither.
struct TableLock {
  std::string schema;  // as written, "" unqualified (RelationKey resolves it)
  std::string table;
  std::string mode;
  bool blocks_reads = false;
  bool unknown = false;  // a DO block whose body could not be read: table "", mode the worst case
};
std::optional<TableLock> BlockingLock(const MigrationStatement& st);

// Every lock above, plus SHARE ROW EXCLUSIVE on each table a foreign key the
// statement adds references (CREATE TABLE, ALTER TABLE ADD CONSTRAINT or ADD
// COLUMN ... REFERENCES): PostgreSQL locks the referenced table to add its
// triggers, even when the referencing table is new.
std::vector<TableLock> TableLocks(const MigrationStatement& st);

// TableLocks with what only the whole file tells: DROP INDEX locks the table
// of an index created earlier in the file or known from --schema (ACCESS
// EXCLUSIVE, as for any index: "created here" is the index, not the table);
// ALTER INDEX ... RENAME takes ACCESS EXCLUSIVE on the index before
// PostgreSQL 12 (SHARE UPDATE EXCLUSIVE since, which blocks no query); a DO
// block whose body pgsift could not read takes locks nobody knows (one lock,
// `unknown`, ACCESS EXCLUSIVE as the worst case).
std::vector<TableLock> StatementLocks(const MigrationFile& file, size_t index);

// The strongest lock statement `index` of `file` takes on a table that was
// not created earlier in the file (ACCESS EXCLUSIVE first), or nullopt.
std::optional<TableLock> ExistingTableLock(const MigrationFile& file, size_t index);

// True when statement `index` is a DO block whose body could not be read
// (MigrationFile::unparsed): its statements are not in the file.
bool DoBodyUnread(const MigrationFile& file, size_t index);

// The table an index is on: an index created earlier in the file (before
// statement `index`), else the --schema catalog; nullopt when unknown.
// `schema` as written ("" unqualified); the result's schema is the index's.
struct QualifiedTable {
  std::string schema, table;
};
// The [schema.]name of a DROP's object (a List of String items).
QualifiedTable ObjectName(const Json& list_object);
std::optional<QualifiedTable> IndexTable(const MigrationFile& file, const std::string& schema,
                                         const std::string& index_name, size_t index);

// The tables a foreign key added by the statement references.
std::vector<std::string> ReferencedTables(const MigrationStatement& st);
// The same with their schemas as written.
std::vector<QualifiedTable> ReferencedRelations(const MigrationStatement& st);

// The name of the first function call in a default expression that may be
// volatile ("" when every call is immutable or stable: PostgreSQL 11+ then
// stores the default once instead of rewriting the table).
std::string VolatileCall(const Json& expr);

// A statement that rewrites a whole table (and rebuilds its indexes) under an
// ACCESS EXCLUSIVE lock: ALTER COLUMN TYPE, ADD COLUMN with a volatile
// default (any default before PostgreSQL 11), a serial or identity column
// (a sequence value for every row) or a stored generated column,
// SET LOGGED/UNLOGGED, SET TABLESPACE, SET ACCESS METHOD, VACUUM FULL and
// CLUSTER of a table. `what` names the operation for a message.
struct TableRewrite {
  std::string table;
  std::string what;
  std::string schema;  // the table's as written, "" unqualified
};
std::optional<TableRewrite> Rewrite(const MigrationStatement& st, int pg_version);
// The same for statement `index` of `file`, which also knows the types that
// ALTER COLUMN ... TYPE changes from (MigrationFile::types_before): a change
// that keeps every stored value (varchar(100) to varchar(200) or text,
// numeric(10,2) to numeric(12,2)) rewrites nothing. Rules use this one.
std::optional<TableRewrite> Rewrite(const MigrationFile& file, size_t index);
// True when a column changed from type `before` to `after` (TypeName nodes)
// keeps its bytes: PostgreSQL skips the rewrite (ATColumnChangeRequiresRewrite).
bool KeepsStoredValues(const Json& before, const Json& after);

// Registers factory helpers: `PGSIFT_MIGRATION_RULE(Class)` defines
// `std::unique_ptr<Rule> Make<Class>()`.
#define PGSIFT_MIGRATION_RULE(Class) \
  std::unique_ptr<Rule> Make##Class() { return std::make_unique<Class>(); }

}  // namespace pgsift::migration
