#include "pgsift/pgss_rules.h"

#include <set>

namespace pgsift {

std::vector<std::unique_ptr<PgssRule>> MakePgssRules() {
  std::vector<std::unique_ptr<PgssRule>> out;
  for (auto& rule : MakeAllRules()) {
    if (rule->Info().input != RuleInput::kPgss) continue;
    auto* p = dynamic_cast<PgssRule*>(rule.get());
    if (p == nullptr) continue;
    rule.release();
    out.emplace_back(p);
  }
  return out;
}

std::vector<Finding> RunPgssRules(const SnapshotDelta& window, const std::vector<const PgssRule*>& rules,
                                  const std::vector<Finding>& log_findings) {
  std::set<uint64_t> confirmed;
  for (const Finding& f : log_findings) {
    if (f.rule_id == "workload-n-plus-one" && f.fingerprint != 0) confirmed.insert(f.fingerprint);
  }
  FindingList list;
  for (const PgssRule* rule : rules) rule->Check(window, list);
  std::vector<Finding> out;
  for (Finding& f : list.findings()) {
    if (f.rule_id == "pgss-n-plus-one-suspect" && confirmed.count(f.fingerprint) > 0) continue;
    out.push_back(std::move(f));
  }
  SortFindings(&out);
  return out;
}

SnapshotDelta CumulativeWindow(const Snapshot& snapshot) { return ComputeDelta(Snapshot{}, snapshot); }

}  // namespace pgsift
