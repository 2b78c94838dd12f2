// A small SQL lexer that follows PostgreSQL 15's scan.l closely enough to cut
// a statement into the same tokens, and builds the fingerprint cache key from
// them: literal tokens become a kind marker, everything else stays as written.
// No allocation once the output buffers have grown.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgsift::sql {

enum class LiteralKind : char {
  kString = 's',    // 'x'  (and 'a'<newline>'b' continuation)
  kEString = 'e',   // E'x'
  kDollar = 'd',    // $$x$$, $tag$x$tag$
  kUnicode = 'u',   // U&'x'
  kBit = 'b',       // B'0101'
  kHex = 'x',       // X'1F'
  kNational = 'n',  // N'x'
  kInt = 'i',       // fits int32: the parser's ICONST
  kNumeric = 'f',   // decimal, exponent, or an integer too large for int32
  kBool = 't',      // TRUE / FALSE keywords
  kNull = 'z',      // NULL keyword
};

struct Literal {
  uint32_t begin = 0;
  uint32_t end = 0;
  LiteralKind kind = LiteralKind::kString;
};

struct ShapeKey {
  std::string key;
  std::vector<Literal> literals;
  int max_param = 0;  // highest $n seen
  // False when the lexer met text it cannot vouch for (unterminated quote or
  // comment, U& strings): such keys never take the cached path.
  bool clean = true;
  uint32_t last_comment_end = 0;  // end of the last comment (0: none)
};

// `layout_exact`: whitespace and comments become part of the key.
// `backslash_quotes`: lex '...' (and N'...') as PostgreSQL does with
// standard_conforming_strings = off, where a backslash escapes the next
// character ('O\'Brien' is one literal); E'...' always works that way.
void BuildShapeKey(std::string_view sql, bool layout_exact, ShapeKey* out, bool backslash_quotes = false);

// Normalized text of a statement whose literals depend on
// standard_conforming_strings (a backslash inside '...'), which the log does
// not record: `on` and `off` are its keys lexed both ways. Up to the first
// literal the two readings disagree on, literals become $n; from there to
// the end of the last literal or comment of either reading, the whole region
// becomes one $n. Returns "" when the readings agree (nothing ambiguous).
std::string MaskAmbiguousLiterals(std::string_view sql, const ShapeKey& on, const ShapeKey& off);

// Normalized text made by our lexer alone ($n in place of each literal, n
// counting up after the highest existing parameter). Used for statements
// libpg_query cannot parse, so they too are shown without their values.
std::string MaskLiterals(std::string_view sql, const ShapeKey& shape);

// `sql` without its comments (-- to end of line, nested /* */), each replaced
// by one space where needed, and trimmed. Quoted strings, identifiers and
// dollar-quoted bodies are kept as they are. Comments may carry values
// (sqlcommenter tags, an ORM's annotations), so displayed texts drop them.
std::string StripComments(std::string_view sql);

// What analysis output shows of a normalized statement. libpg_query's
// normalizer leaves literals of utility statements alone (COMMENT ON ... IS
// 'x', some SET forms) and keeps comments, which may carry values: here
// every remaining string or number literal becomes $n (true/false/NULL
// stay), comments and the closing ';' are dropped. Text our lexer cannot
// follow is withheld.
std::string DisplayText(std::string_view normalized);

// What a statement would cost libpg_query, estimated by our lexer before the
// parser sees it. libpg_query 15-4.0.0 walks parse trees recursively
// (fingerprint, JSON output, normalize) and its stack check is compiled to
// "never too deep", so a 30k-term `+ 1` chain overflows the stack; its flex
// scanner rescans a run of operator characters once per "/*" in it, so
// "/*/*/*..." takes quadratic time.
struct ParserLoad {
  // An upper bound, in "units" of about one parse-tree level, on the depth of
  // the tree: within each bracket level, tokens since the last comma (left-
  // and right-deep operator chains, prefix operators, casts), plus the number
  // of set operations and joins at that level (left-deep chains across
  // commas), plus 2 per enclosing bracket or CASE. AND/OR lists are flat in
  // the parse tree and CASE branches are siblings, so they do not add up.
  uint64_t depth = 0;
  // The scanner's extra work: the sum of the squares of the lengths of the
  // runs of operator characters (each "/*" in a run rescans the run).
  uint64_t operator_run_cost = 0;
};
// `plpgsql_body`: `sql` is a PL/pgSQL body; BEGIN/IF/LOOP/CASE ... END
// nest, statements (`;`) are siblings.
ParserLoad EstimateParserLoad(std::string_view sql, bool plpgsql_body = false);

}  // namespace pgsift::sql
