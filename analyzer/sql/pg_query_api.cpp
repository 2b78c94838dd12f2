#include "sql/pg_query_api.h"

#include <pg_query.h>

namespace pgsift::sql {

PgFingerprint PgQueryFingerprint(std::string_view sql) {
  // libpg_query wants a NUL-terminated string; statements may contain NUL
  // bytes from a broken log, which the parser would cut at anyway.
  std::string text(sql);
  PgQueryFingerprintResult r = pg_query_fingerprint(text.c_str());
  PgFingerprint out;
  if (r.error != nullptr) {
    out.error = r.error->message != nullptr ? r.error->message : "parse error";
  } else {
    out.ok = true;
    out.value = r.fingerprint;
  }
  pg_query_free_fingerprint_result(r);
  return out;
}

PgNormalized PgQueryNormalize(std::string_view sql) {
  std::string text(sql);
  PgQueryNormalizeResult r = pg_query_normalize(text.c_str());
  PgNormalized out;
  if (r.error != nullptr) {
    out.error = r.error->message != nullptr ? r.error->message : "parse error";
  } else if (r.normalized_query != nullptr) {
    out.ok = true;
    out.text = r.normalized_query;
  }
  pg_query_free_normalize_result(r);
  return out;
}

namespace {

// libpg_query's error message and 0-based offset (-1: none).
void TakeError(const PgQueryError& e, const char* fallback, std::string* message, int* offset) {
  *message = e.message != nullptr ? e.message : fallback;
  *offset = e.cursorpos > 0 ? e.cursorpos - 1 : -1;
}

}  // namespace

PgSplit PgQuerySplit(std::string_view sql) {
  std::string text(sql);
  PgQuerySplitResult r = pg_query_split_with_scanner(text.c_str());
  PgSplit out;
  if (r.error != nullptr) {
    TakeError(*r.error, "split error", &out.error, &out.error_offset);
  } else {
    out.ok = true;
    for (int i = 0; i < r.n_stmts; ++i) {
      out.statements.push_back(
          {static_cast<uint32_t>(r.stmts[i]->stmt_location), static_cast<uint32_t>(r.stmts[i]->stmt_len)});
    }
  }
  pg_query_free_split_result(r);
  return out;
}

PgParse PgQueryParseJson(std::string_view sql) {
  std::string text(sql);
  PgQueryParseResult r = pg_query_parse(text.c_str());
  PgParse out;
  if (r.error != nullptr) {
    TakeError(*r.error, "parse error", &out.error, &out.error_offset);
  } else {
    out.ok = true;
    out.json = r.parse_tree != nullptr ? r.parse_tree : "";
  }
  pg_query_free_parse_result(r);
  return out;
}

PgParse PgQueryParsePlpgsqlJson(std::string_view sql) {
  std::string text(sql);
  PgQueryPlpgsqlParseResult r = pg_query_parse_plpgsql(text.c_str());
  PgParse out;
  if (r.error != nullptr) {
    TakeError(*r.error, "parse error", &out.error, &out.error_offset);
  } else {
    out.ok = true;
    out.json = r.plpgsql_funcs != nullptr ? r.plpgsql_funcs : "";
  }
  pg_query_free_plpgsql_parse_result(r);
  return out;
}

}  // namespace pgsift::sql
