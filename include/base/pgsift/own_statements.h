// pgsift's own statements: every session pgsift opens on a server is named
// application_name 'pgsift/<command>', and the statements pgsift writes
// itself start with kPgsiftTag (the statements of a user it prepares or
// applies do not: their pg_stat_statements entry is the application's).
// Snapshots, reports and log analysis leave them out unless asked to keep
// them (--include-pgsift), and say how many.
#pragma once

#include <string_view>

namespace pgsift {

inline constexpr std::string_view kPgsiftTag = "/* pgsift */";

// True when `sql` (leading blanks skipped) starts with kPgsiftTag.
inline bool IsPgsiftText(std::string_view sql) {
  size_t p = sql.find_first_not_of(" \t\r\n");
  return p != std::string_view::npos && sql.substr(p).starts_with(kPgsiftTag);
}

// True for "pgsift" and "pgsift/<command>".
inline bool IsPgsiftApplication(std::string_view application) {
  return application.starts_with("pgsift") && (application.size() == 6 || application[6] == '/');
}

}  // namespace pgsift
