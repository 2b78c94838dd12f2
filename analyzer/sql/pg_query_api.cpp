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

}  // namespace pgsift::sql
