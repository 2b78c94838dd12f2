// What a query filters, joins and sorts on, from its parse tree: the
// columns the missing-index advisor and migration lint reason about.
// Normalized query texts only ($1, $2): no literal is held or shown.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pgsift {

// How a column is used. Equality-like uses (kEquality, kIn, kIsNull, kJoin)
// may come in any order in a btree index; a range ends the usable prefix.
enum class ColumnOp : uint8_t { kEquality, kIn, kIsNull, kJoin, kRange, kLike, kSort, kGroup, kOther };
std::string_view ColumnOpName(ColumnOp op);
bool IsEqualityLike(ColumnOp op);

struct ColumnUse {
  std::string schema;  // "" when the query did not qualify the table
  std::string table;   // a base table (aliases, CTEs, subqueries resolved)
  // A column name, or a canonical expression such as "lower(email)" (the
  // form an expression index on it has, see CanonicalExpression).
  std::string column;
  bool expression = false;
  ColumnOp op = ColumnOp::kOther;
  bool operator==(const ColumnUse&) const = default;
};

struct QueryPredicates {
  bool ok = false;
  std::string error;                // parser message (no input text)
  std::vector<std::string> tables;  // base tables read or written, "schema.table" or "table"
  std::vector<ColumnUse> uses;      // in order of appearance, duplicates removed
  bool writes = false;              // INSERT/UPDATE/DELETE/MERGE
  bool limit = false;               // some SELECT has LIMIT / FETCH FIRST
};

// Answers whether `table` (schema may be "") has `column`; lets unqualified
// columns in a multi-table scope find their table. May be empty.
using ColumnLookup =
    std::function<bool(const std::string& schema, const std::string& table, const std::string& column)>;

// Columns used in WHERE, JOIN ... ON, ORDER BY and GROUP BY of every
// statement in `sql`, through aliases, CTEs (columns a CTE passes through
// unchanged) and subqueries (correlated references to outer tables too).
QueryPredicates ExtractPredicates(std::string_view sql, const ColumnLookup& lookup = {});

}  // namespace pgsift
