// pgsift's own statements: every session pgsift opens on a server is named
// application_name 'pgsift/<command>', and the statements pgsift writes
// itself carry kPgsiftTag right after their first keyword
// ("SELECT /* pgsift */ ...": PostgreSQL 18's pg_stat_statements drops a
// comment in front of a statement, never one inside it). The statements of
// a user it prepares or applies are not tagged: their pg_stat_statements
// entry is the application's.
// Snapshots, reports and log analysis leave them out unless asked to keep
// them (--include-pgsift), and say how many.
#pragma once

#include <string_view>

namespace pgsift {

inline constexpr std::string_view kPgsiftTag = "/* pgsift */";

// True when `sql` carries kPgsiftTag after its first keyword, or in front
// of it (as pgsift before 2026-12 wrote it), blanks skipped.
inline bool IsPgsiftText(std::string_view sql) {
  constexpr std::string_view kBlank = " \t\r\n";
  size_t p = sql.find_first_not_of(kBlank);
  if (p == std::string_view::npos) return false;
  if (sql.substr(p).starts_with(kPgsiftTag)) return true;
  while (p < sql.size() && ((sql[p] | 0x20) >= 'a' && (sql[p] | 0x20) <= 'z')) ++p;
  p = sql.find_first_not_of(kBlank, p);
  return p != std::string_view::npos && sql.substr(p).starts_with(kPgsiftTag);
}

// True for "pgsift" and "pgsift/<command>" of a command that connects (the
// names SetPgsiftCommand gives), nothing else: an application named
// "pgsift/anything" is not left out, and what is left out is counted with
// its time (a workload cannot vanish from a report unseen).
inline bool IsPgsiftApplication(std::string_view application) {
  if (application == "pgsift") return true;
  if (!application.starts_with("pgsift/")) return false;
  std::string_view command = application.substr(7);
  for (std::string_view c : {"snapshot", "report", "lint", "baseline", "check", "indexes"}) {
    if (command == c) return true;
  }
  return false;
}

}  // namespace pgsift
