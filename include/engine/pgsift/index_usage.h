// Index usage read from statistics (IndexStats of a snapshot or a live
// schema): unused indexes and duplicate definitions. Shared by the weekly
// report and the index-unused and index-duplicate rules; implemented in
// analyzer/engine/index_usage.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pgsift/pgss.h"

namespace pgsift {

struct ReportIndex {
  std::string schema, table, name;
  int64_t size_bytes = 0;
  int64_t scans = 0;  // idx_scan at `to`
  bool unique = false;
};

// Indexes with the same definition (IndexStats::definition_key) on one
// table, each group with the one to keep first (a constraint's index, then
// the most used, then by name); groups in (schema, table, key) order.
std::vector<std::vector<ReportIndex>> DuplicateIndexGroups(const std::vector<IndexStats>& indexes);

// Indexes no query used, never a unique or primary key index: with `from`,
// those whose idx_scan did not move since `from` (and that existed then);
// without, those with idx_scan 0 since the statistics reset.
std::vector<ReportIndex> UnusedIndexes(const std::vector<IndexStats>& to, const std::vector<IndexStats>* from);

}  // namespace pgsift
