#include "pgsift/workload_rules.h"

#include <set>

namespace pgsift {
namespace {

class FanOut : public StatementSink {
 public:
  FanOut(const std::vector<WorkloadRule*>& rules, StatementSink* also) : rules_(rules), also_(also) {}
  void OnStatement(const StatementRun& run) override {
    for (WorkloadRule* r : rules_) r->OnStatement(run);
    if (also_ != nullptr) also_->OnStatement(run);
  }
  void OnSessionEnd(uint32_t input, uint64_t session, int64_t time_us) override {
    for (WorkloadRule* r : rules_) r->OnSessionEnd(input, session, time_us);
    if (also_ != nullptr) also_->OnSessionEnd(input, session, time_us);
  }

 private:
  const std::vector<WorkloadRule*>& rules_;
  StatementSink* also_;  // the caller's own options.statements, if any
};

}  // namespace

std::vector<std::unique_ptr<WorkloadRule>> MakeWorkloadRules() {
  std::vector<std::unique_ptr<WorkloadRule>> out;
  for (auto& rule : MakeAllRules()) {
    if (rule->Info().input != RuleInput::kWorkload) continue;
    auto* w = dynamic_cast<WorkloadRule*>(rule.get());
    if (w == nullptr) continue;
    rule.release();
    out.emplace_back(w);
  }
  return out;
}

Result<AnalyzeResult> AnalyzeWithRules(AnalyzeOptions options, const std::vector<WorkloadRule*>& rules) {
  FanOut fan(rules, options.statements);
  if (!rules.empty()) options.statements = &fan;
  Result<AnalyzeResult> result = Analyze(options);
  if (!result.ok()) return result;
  FindingList findings;
  for (WorkloadRule* r : rules) r->Finish(result->workload, findings);
  result->findings = findings.Sorted();
  return result;
}

Result<BurstOptions> ParseBurstOptions(const RuleOptions& options) {
  static const std::set<std::string> kKnown = {"idle_flush_ms", "max_gap_ms", "max_sessions", "min_burst"};
  for (const auto& [key, value] : options.values()) {
    if (!kKnown.count(key)) {
      return Err("unknown option " + key + " (known: idle_flush_ms, max_gap_ms, max_sessions, min_burst)");
    }
  }
  BurstOptions o;
  Result<int64_t> min_burst = options.GetInt("min_burst", o.min_burst);
  if (!min_burst.ok()) return Err(min_burst.error());
  if (*min_burst < 2) return Err("option min_burst must be at least 2");
  o.min_burst = *min_burst;
  Result<double> gap = options.GetDouble("max_gap_ms", o.max_gap_ms);
  if (!gap.ok()) return Err(gap.error());
  if (!(*gap >= 0)) return Err("option max_gap_ms must be >= 0");
  o.max_gap_ms = *gap;
  Result<int64_t> cap = options.GetInt("max_sessions", o.max_sessions);
  if (!cap.ok()) return Err(cap.error());
  if (*cap < 1) return Err("option max_sessions must be at least 1");
  o.max_sessions = *cap;
  Result<double> idle = options.GetDouble("idle_flush_ms", o.idle_flush_ms);
  if (!idle.ok()) return Err(idle.error());
  if (!(*idle > 0)) return Err("option idle_flush_ms must be > 0");
  o.idle_flush_ms = *idle;
  return o;
}

}  // namespace pgsift
