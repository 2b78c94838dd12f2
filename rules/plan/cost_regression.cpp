// plan-cost-regression: the planner's total cost grew past both thresholds. See cost_regression.md.
#include <memory>

#include "pgsift/plan_rules.h"

namespace pgsift::plan {
namespace {

class CostRegression : public PlanRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        .id = "plan-cost-regression",
        .aliases = {},
        .summary = "A guarded query's estimated cost grew past the thresholds",
        .severity = Severity::kError,
        .input = RuleInput::kPlan,
        .doc = "rules/plan/cost_regression.md",
    };
    return kInfo;
  }

  void Check(const PlanOutcome& o, FindingSink& sink) const override {
    if (o.after == nullptr) return;
    double before = o.before->plan.total_cost, after = o.after->plan.total_cost;
    if (!PastThresholds(before, after, o.thresholds.cost_ratio, o.thresholds.cost_abs)) return;
    sink.Report(PlanFinding(o, Info().id, Info().severity,
                            "estimated cost " + FixedDigits(before, 2) + " -> " + FixedDigits(after, 2) + " (x" +
                                FixedDigits(before > 0 ? after / before : 0, 1) + ")",
                            "The planner expects this query to be much more expensive after the migration."));
  }
};

}  // namespace

std::unique_ptr<Rule> MakeCostRegression() { return std::make_unique<CostRegression>(); }

}  // namespace pgsift::plan
