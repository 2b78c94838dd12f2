// The only door to libpg_query (pg_query_api.cpp is the only file that
// includes pg_query.h). All functions are thread-safe: libpg_query keeps its
// memory contexts per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pgsift::sql {

struct PgFingerprint {
  bool ok = false;
  uint64_t value = 0;
  std::string error;  // parser message, without the input text
};
PgFingerprint PgQueryFingerprint(std::string_view sql);

struct PgNormalized {
  bool ok = false;
  std::string text;
  std::string error;
};
PgNormalized PgQueryNormalize(std::string_view sql);

}  // namespace pgsift::sql
