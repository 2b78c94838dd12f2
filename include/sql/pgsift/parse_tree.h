// Parse trees for migration lint: statements split and parsed by
// libpg_query (through pg_query_api), as nlohmann JSON nodes with byte
// offsets, plus the SQL inside PL/pgSQL DO bodies. Comments are found with a
// small lexer that knows SQL quoting ('', E'', "", $tag$, nested /* */).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace pgsift::sql {

struct ParsedChunk {
  uint32_t offset = 0;  // span start in the input (after the previous ';')
  uint32_t length = 0;
  bool ok = false;
  // Each statement of the span: {"stmt": {...}, "stmt_location", "stmt_len"}
  // with locations relative to `offset`.
  std::vector<nlohmann::json> statements;
  std::string error;
  uint32_t error_offset = 0;  // absolute byte offset of a parse error
  // The scanner failed (an unterminated quote): the chunk may hold several
  // statements, and no version of PostgreSQL reads it.
  bool scanner_error = false;
};

// The PostgreSQL major version whose grammar libpg_query parses with.
inline constexpr int kParserMajorVersion = 15;

// Splits with the scanner (so one bad statement does not hide the others)
// and parses each span. An error of the splitter itself gives one chunk
// with ok == false over the whole input.
std::vector<ParsedChunk> SplitAndParse(std::string_view text);

// One SQL text parsed whole (no splitting): its statements as above.
struct PgParseStatements {
  bool ok = false;
  std::vector<nlohmann::json> statements;
  std::string error;
};
PgParseStatements ParseStatements(std::string_view text);

struct PlpgsqlSql {
  int lineno = 0;     // 1-based line in the body
  std::string query;  // an SQL statement the body runs
};
// The SQL statements a PL/pgSQL body runs (plain statements and EXECUTE of
// a string constant), in order. Fails with the parser's message.
bool PlpgsqlStatements(std::string_view body, std::vector<PlpgsqlSql>* out, std::string* error);

// First byte at or after `pos` that is neither white space nor a comment.
size_t SkipSpaceAndComments(std::string_view text, size_t pos);

struct SqlComment {
  size_t offset = 0;
  std::string text;  // without -- or /* */
};
// Comments in text[begin, end), outside string literals and identifiers.
std::vector<SqlComment> FindComments(std::string_view text, size_t begin, size_t end);

// The accessors of parse-tree nodes every reader of them uses (sql/, engine/,
// the migration rules); none throws.
// node[key] when `node` is an object that has it, else null: a reference
// that lives as long as `node` (a null iterates as empty).
const nlohmann::json& Member(const nlohmann::json& node, std::string_view key);
// A string member, or "".
std::string Str(const nlohmann::json& node, std::string_view key);
// A boolean member, or false.
bool Bool(const nlohmann::json& node, std::string_view key);
// The text of a String node ({"String": {"sval": ...}}), or "".
std::string Sval(const nlohmann::json& string_node);

}  // namespace pgsift::sql
