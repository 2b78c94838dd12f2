#include "pgsift/index_usage.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace pgsift {

std::vector<ReportIndex> UnusedIndexes(const std::vector<IndexStats>& to, const std::vector<IndexStats>* from) {
  std::map<std::tuple<std::string, std::string, std::string>, const IndexStats*> before_idx;
  if (from != nullptr) {
    for (const IndexStats& x : *from) before_idx[{x.schema, x.table, x.name}] = &x;
  }
  std::vector<ReportIndex> out;
  for (const IndexStats& x : to) {
    if (x.unique || x.primary) continue;
    int64_t before = 0;
    if (from != nullptr) {
      auto it = before_idx.find({x.schema, x.table, x.name});
      if (it == before_idx.end()) continue;
      before = it->second->idx_scan;
    }
    if (x.idx_scan == before) out.push_back({x.schema, x.table, x.name, x.size_bytes, x.idx_scan, x.unique});
  }
  return out;
}

std::vector<std::vector<ReportIndex>> DuplicateIndexGroups(const std::vector<IndexStats>& indexes) {
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<ReportIndex>> same;
  for (const IndexStats& x : indexes) {
    if (x.definition_key.empty()) continue;
    same[{x.schema, x.table, x.definition_key}].push_back(
        {x.schema, x.table, x.name, x.size_bytes, x.idx_scan, x.unique || x.primary});
  }
  std::vector<std::vector<ReportIndex>> out;
  for (auto& [key, group] : same) {
    if (group.size() < 2) continue;
    // Keep a constraint's index first, then the most used, then by name.
    std::sort(group.begin(), group.end(), [](const ReportIndex& a, const ReportIndex& b) {
      if (a.unique != b.unique) return a.unique;
      if (a.scans != b.scans) return a.scans > b.scans;
      return a.name < b.name;
    });
    out.push_back(std::move(group));
  }
  return out;
}

}  // namespace pgsift
