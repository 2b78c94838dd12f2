// migration-locks-hot-table: a statement whose lock blocks the queries the
// workload (pgsift analyze JSON, --workload) runs on that table, at a rate
// high enough that they would queue behind it.
#include <algorithm>
#include <cstdio>

#include "migration/util.h"
#include "pgsift/fingerprint.h"

namespace pgsift::migration {

namespace {

std::string Rate(double per_second) {
  char buf[32];
  snprintf(buf, sizeof buf, per_second >= 10 ? "%.0f/s" : "%.2f/s", per_second);
  return buf;
}

class LocksHotTable : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-locks-hot-table",
                                {},
                                "A migration lock on a table the observed workload uses heavily",
                                Severity::kWarning,
                                RuleInput::kMigration,
                                "rules/migration/locks_hot_table.md"};
    return kInfo;
  }
  Status Configure(const RuleOptions& options) override {
    auto rate = options.GetDouble("min_queries_per_second", 1.0);
    if (!rate.ok()) return Err(rate.error());
    auto calls = options.GetInt("min_calls", 20);
    if (!calls.ok()) return Err(calls.error());
    min_rate_ = *rate;
    min_calls_ = *calls;
    return Ok{};
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    if (file.workload == nullptr || file.workload->window_seconds <= 0) return;
    const LintWorkload& w = *file.workload;
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      std::optional<TableLock> lock = BlockingLock(st);
      if (!lock) continue;
      if (st.kind == "DropStmt" && file.indexes != nullptr) {
        auto index = file.indexes->find(RelationKey(lock->schema, lock->table));  // DROP INDEX names the index
        if (index != file.indexes->end()) {
          lock->schema = index->second.schema;
          lock->table = index->second.table;
        }
      }
      if (file.CreatedBefore(lock->table, i)) continue;
      // The workload's tables are schema-qualified: traffic on another
      // schema's table of the same name does not wait for this one.
      auto it = w.queries_by_table.find(RelationKey(lock->schema, lock->table));
      if (it == w.queries_by_table.end()) continue;
      std::vector<const WorkloadQuery*> blocked;
      uint64_t calls = 0;
      for (size_t q : it->second) {
        const WorkloadQuery& query = w.queries[q];
        if (!lock->blocks_reads && !query.writes) continue;
        blocked.push_back(&query);
        calls += query.calls;
      }
      double rate = static_cast<double>(calls) / w.window_seconds;
      if (blocked.empty() || rate < min_rate_ || static_cast<int64_t>(calls) < min_calls_) continue;
      std::sort(blocked.begin(), blocked.end(), [](const WorkloadQuery* a, const WorkloadQuery* b) {
        return a->calls != b->calls ? a->calls > b->calls : a->fingerprint < b->fingerprint;
      });
      Finding f = At(st,
                     "this statement takes " + lock->mode + " on " + lock->table + ", which blocks " +
                         (lock->blocks_reads ? "reads and writes" : "writes") + ": the workload runs " + Rate(rate) +
                         " such queries on it, and they would queue behind the lock",
                     "run it at the quietest hour, set a short lock_timeout and retry, or use the non-blocking "
                     "form (CONCURRENTLY, NOT VALID, a new column and backfill)");
      f.key_extra += "|" + lock->table;
      f.facts.push_back(
          {"blocked queries", std::to_string(blocked.size()) + " shapes, " + std::to_string(calls) + " calls in " +
                                  std::to_string(static_cast<int64_t>(w.window_seconds + 0.5)) + " s observed"});
      for (size_t k = 0; k < blocked.size() && k < 3; ++k) {
        std::string text = blocked[k]->normalized;
        std::replace(text.begin(), text.end(), '\n', ' ');
        if (text.size() > 100) text = text.substr(0, 97) + "...";
        f.facts.push_back(
            {"query " + FingerprintHex(blocked[k]->fingerprint), Rate(blocked[k]->calls_per_second) + "  " + text});
      }
      sink.Report(std::move(f));
    }
  }

 private:
  double min_rate_ = 1.0;
  int64_t min_calls_ = 20;
};

}  // namespace

PGSIFT_MIGRATION_RULE(LocksHotTable)

}  // namespace pgsift::migration
