// Internal to analyzer/engine/: parts of LoadMigration (migration_lint.cpp)
// in files of their own.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pgsift/migration_model.h"
#include "pgsift/parse_tree.h"

namespace pgsift {

// Fills file->types_before for each ALTER COLUMN ... TYPE of the file, from
// the file's own earlier CREATE TABLE / ADD COLUMN / ALTER COLUMN TYPE and
// then `catalog` (may be null); then adds the file's columns to `catalog`.
void ResolveColumnTypes(MigrationFile* file, ColumnCatalog* catalog);

// The SQL statements of a DO block's PL/pgSQL body (sql::PlpgsqlStatements).
// A COLLATE on a declared variable needs the catalog to compile; it changes
// no statement the block runs, so the body is read again without the
// declarations' COLLATE clauses (blanked, lines kept). False, with `error`,
// when the body still cannot be read.
bool ReadDoBody(std::string_view body, std::vector<sql::PlpgsqlSql>* out, std::string* error);

}  // namespace pgsift
