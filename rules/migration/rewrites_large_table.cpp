// migration-rewrites-large-table: a statement that rewrites a whole table
// (and rebuilds its indexes) under an ACCESS EXCLUSIVE lock, on a table a
// pgsift snapshot (--workload SNAPSHOT.json.gz) shows to be large.
#include <cstdio>

#include "migration/util.h"
#include "pgsift/format.h"

namespace pgsift::migration {

namespace {

class RewritesLargeTable : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-rewrites-large-table",
                                {},
                                "A table rewrite under ACCESS EXCLUSIVE on a table the snapshot shows to be large",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/rewrites_large_table.md"};
    return kInfo;
  }
  Status Configure(const RuleOptions& options) override {
    auto mb = options.GetDouble("min_size_mb", 100);
    if (!mb.ok()) return Err(mb.error());
    auto rate = options.GetDouble("rewrite_mb_per_second", 50);
    if (!rate.ok()) return Err(rate.error());
    if (*mb < 0 || *rate <= 0) return Err("min_size_mb must be >= 0 and rewrite_mb_per_second > 0");
    min_bytes_ = static_cast<int64_t>(*mb * 1024 * 1024);
    mb_per_second_ = *rate;
    return Ok{};
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    if (file.workload == nullptr || file.workload->tables.empty()) return;
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      std::optional<TableRewrite> rewrite = Rewrite(file, i);
      if (!rewrite || file.CreatedBefore(rewrite->table, i)) continue;
      auto it = file.workload->tables.find(rewrite->table);
      if (it == file.workload->tables.end() || it->second.size_bytes < min_bytes_) continue;
      const LintTableSize& size = it->second;
      double seconds = static_cast<double>(size.size_bytes) / (mb_per_second_ * 1024 * 1024);
      char estimate[96];
      snprintf(estimate, sizeof estimate, "about %.0f s at %.0f MB/s, during which every query on it waits", seconds,
               mb_per_second_);
      Finding f = At(st,
                     rewrite->what + " rewrites " + rewrite->table + " (" + FormatBytes(size.size_bytes) +
                         " with its indexes) under an ACCESS EXCLUSIVE lock: reads and writes wait until it is done",
                     "avoid the rewrite: add a new column and backfill it in batches, use a constant default, or "
                     "pg_repack for VACUUM FULL/CLUSTER; if it must run, schedule a maintenance window");
      f.key_extra += "|" + rewrite->table;
      f.facts.push_back({"table", rewrite->table + ": " + FormatBytes(size.size_bytes) + ", " +
                                      std::to_string(size.live_rows) + " live rows (snapshot of " +
                                      file.workload->tables_from + ")"});
      f.facts.push_back({"indexes rebuilt", std::to_string(size.indexes) + " (" + FormatBytes(size.index_bytes) + ")"});
      f.facts.push_back({"estimated lock time", estimate});
      sink.Report(std::move(f));
    }
  }

 private:
  int64_t min_bytes_ = 100LL * 1024 * 1024;
  double mb_per_second_ = 50;
};

}  // namespace

PGSIFT_MIGRATION_RULE(RewritesLargeTable)

}  // namespace pgsift::migration
