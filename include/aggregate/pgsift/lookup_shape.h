// N+1 suspects without logs: a pg_stat_statements entry that is called very
// often, returns about one row per call and has the shape of a key lookup
// (one table, equality on parameters). The pg_stat_statements rule reads
// PgssEntry (pgss.h, issue 8) and asks these; logs confirm a suspect with the
// session sequences of workload-n-plus-one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgsift {

struct KeyLookup {
  std::string table;                 // as written, e.g. "patients" or "public.patients"
  std::vector<std::string> columns;  // compared with a parameter, in order
};

// `SELECT <list> FROM <one table> [alias] WHERE a = $1 [AND b = $2 ...]
// [LIMIT $n]`, on normalized text ($n for values); leading/trailing comments
// and a final ';' are ignored. nullopt for anything else (joins, ORs,
// subqueries in FROM, ranges, IN lists, writes).
std::optional<KeyLookup> ParseKeyLookup(std::string_view normalized);

// The batched form of a one-column key lookup: "... WHERE x = $1" with no
// other parameter becomes "... WHERE x = ANY($1)". Empty when the text is
// not such a lookup (or is long or truncated).
std::string BatchedLookup(std::string_view normalized);

struct SuspectOptions {
  int64_t min_calls = 1000;        // fewer calls: not worth a finding
  double max_rows_per_call = 1.5;  // "about one row per call"
};

// Whether (calls, rows) from pg_stat_statements and the normalized text make
// an N+1 suspect: at least min_calls, rows/calls at most max_rows_per_call,
// and a key-lookup shape.
bool IsNPlusOneSuspect(int64_t calls, int64_t rows, std::string_view normalized, const SuspectOptions& options);

}  // namespace pgsift
