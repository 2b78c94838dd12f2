// Shared by the index tests: a Workload built from (normalized query, total
// ms) pairs, 10 calls each, fingerprints 1, 2, ... in order.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "pgsift/workload.h"

namespace pgsift::testing {

inline Workload MakeWorkload(const std::vector<std::pair<std::string, double>>& queries) {
  Workload w;
  uint64_t fp = 1;
  for (const auto& [sql, ms] : queries) {
    QueryStats& q = w.queries[fp];
    q.fingerprint = fp++;
    q.normalized = sql;
    q.calls = 10;
    q.total_ns = DurationNs(ms);
  }
  return w;
}

}  // namespace pgsift::testing
