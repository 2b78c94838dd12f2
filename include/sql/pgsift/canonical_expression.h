// Internal to the analyzer: the canonical text of an index key or a
// predicate operand, shared by predicate extraction and the schema reader so
// that an expression index matches the queries that use its expression.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pgsift::sql {

// "col" for a column reference (last name part), "f(col)" for a function of
// one column (pg_catalog. dropped, casts looked through), "" otherwise.
std::string CanonicalExpression(const nlohmann::json& node);

}  // namespace pgsift::sql
