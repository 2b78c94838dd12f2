// Queries files of `pgsift baseline capture --queries` (hand-written SQL with
// "-- name:" and "-- params:" lines): every query read has a unique valid
// name and a non-empty statement.
// fuzz-seeds: fixtures/baseline/queries.sql whole
// fuzz-seeds: fixtures/plans/queries.sql whole
// fuzz-seeds: fixtures/fuzz/queries_file_fuzz/* whole
#include <set>
#include <string>

#include "fuzz_util.h"
#include "pgsift/baseline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto queries = pgsift::ReadQueriesFile("fuzz.sql", pgsift::fuzz::View(data, size));
  if (!queries.ok()) return 0;
  if (queries->empty()) __builtin_trap();
  std::set<std::string> names;
  for (const pgsift::GuardedQuery& q : *queries) {
    if (q.name.empty() || q.sql.empty() || !names.insert(q.name).second) __builtin_trap();
    for (const std::string& p : q.params) (void)pgsift::SplitParams(p);
  }
  return 0;
}
