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
#include <utility>

namespace pgsift {

inline constexpr std::string_view kPgsiftTag = "/* pgsift */";

// True when `sql` carries kPgsiftTag after its first keyword, or in front
// of it (as pgsift before 2026-12 wrote it), blanks skipped, and that
// keyword is one pgsift writes (SELECT, SET, EXPLAIN, BEGIN, ...): an
// UPDATE or INSERT with the tag is an application's, not pgsift's.
inline bool IsPgsiftText(std::string_view sql) {
  constexpr std::string_view kBlank = " \t\r\n";
  auto keyword_at = [&sql](size_t p) {
    size_t e = p;
    while (e < sql.size() && ((sql[e] | 0x20) >= 'a' && (sql[e] | 0x20) <= 'z')) ++e;
    return std::pair{sql.substr(p, e - p), e};
  };
  auto pgsift_writes = [](std::string_view k) {
    for (std::string_view w : {"SELECT", "WITH", "SET", "RESET", "SHOW", "EXPLAIN", "BEGIN", "COMMIT", "ROLLBACK",
                               "COMMENT", "CREATE", "DROP", "PREPARE", "DEALLOCATE"}) {
      if (k.size() != w.size()) continue;
      bool same = true;
      for (size_t i = 0; i < k.size() && same; ++i) same = (k[i] & ~0x20) == w[i];
      if (same) return true;
    }
    return false;
  };
  size_t p = sql.find_first_not_of(kBlank);
  if (p == std::string_view::npos) return false;
  if (sql.substr(p).starts_with(kPgsiftTag)) {
    p = sql.find_first_not_of(kBlank, p + kPgsiftTag.size());
    return p != std::string_view::npos && (sql[p] == '(' || pgsift_writes(keyword_at(p).first));
  }
  auto [keyword, end] = keyword_at(p);
  p = sql.find_first_not_of(kBlank, end);
  return p != std::string_view::npos && sql.substr(p).starts_with(kPgsiftTag) && pgsift_writes(keyword);
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
