// The only door to libpg_query (pg_query_api.cpp is the only file that
// includes pg_query.h). All functions are thread-safe: libpg_query keeps its
// memory contexts per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pgsift::sql {

// Every function below first estimates what the text would cost libpg_query
// (sql/shape_key.h, EstimateParserLoad) and refuses, without calling it, a
// text whose parse tree could be deeper than the calling thread's stack
// holds (libpg_query 15-4.0.0 recurses over trees and its own stack check
// never fires) or than kMaxParseDepth, or whose scanning would take
// quadratic time. `refused` is then true and `error` says why, quoting none
// of the text.
inline constexpr uint64_t kMaxParseDepth = 4000;
inline constexpr uint64_t kMaxOperatorRunCost = uint64_t{1} << 26;

// The depth (in EstimateParserLoad's units) the calling thread's stack
// allows now, at most kMaxParseDepth.
uint64_t ParseDepthLimit();

struct PgFingerprint {
  bool ok = false;
  uint64_t value = 0;
  std::string error;  // parser message, without the input text
  bool refused = false;
};
PgFingerprint PgQueryFingerprint(std::string_view sql);

struct PgNormalized {
  bool ok = false;
  std::string text;
  std::string error;
  bool refused = false;
};
PgNormalized PgQueryNormalize(std::string_view sql);

// A statement span from the scanner-based splitter: byte offset and length
// in the input (the span starts right after the previous ';', so it holds
// the statement's leading comments).
struct PgSplitStatement {
  uint32_t offset = 0;
  uint32_t length = 0;
};
struct PgSplit {
  bool ok = false;
  std::vector<PgSplitStatement> statements;
  std::string error;
  int error_offset = -1;  // 0-based byte offset of the error, -1 if unknown
  bool refused = false;
};
PgSplit PgQuerySplit(std::string_view sql);

// The parse tree as libpg_query's JSON ({"version":..,"stmts":[..]}).
struct PgParse {
  bool ok = false;
  std::string json;
  std::string error;
  int error_offset = 0;  // 0-based byte offset of the error, -1 if unknown
  bool refused = false;
};
PgParse PgQueryParseJson(std::string_view sql);

// PL/pgSQL function bodies as JSON; `sql` is a CREATE FUNCTION statement.
PgParse PgQueryParsePlpgsqlJson(std::string_view sql);

}  // namespace pgsift::sql
