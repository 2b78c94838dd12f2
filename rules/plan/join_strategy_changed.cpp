// plan-join-strategy-changed: the join nodes (Nested Loop, Hash Join, Merge Join) of the plan changed. See
// join_strategy_changed.md.
#include <memory>

#include "pgsift/plan_rules.h"

namespace pgsift::plan {
namespace {

class JoinStrategyChanged : public PlanRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        .id = "plan-join-strategy-changed",
        .aliases = {},
        .summary = "A guarded query joins with another strategy",
        .severity = Severity::kWarning,
        .input = RuleInput::kPlan,
        .doc = "rules/plan/join_strategy_changed.md",
    };
    return kInfo;
  }

  void Check(const PlanOutcome& o, FindingSink& sink) const override {
    if (o.after == nullptr || o.joins_before == o.joins_after) return;
    sink.Report(PlanFinding(o, Info().id, Info().severity,
                            "join strategy changed: " + ListJoins(o.joins_before) + " -> " + ListJoins(o.joins_after),
                            "Often a consequence of changed row estimates or a lost index; compare the plans below."));
  }
};

}  // namespace

std::unique_ptr<Rule> MakeJoinStrategyChanged() { return std::make_unique<JoinStrategyChanged>(); }

}  // namespace pgsift::plan
