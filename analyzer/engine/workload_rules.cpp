#include "pgsift/workload_rules.h"

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

}  // namespace pgsift
