// plan-shape-changed: the plan's nodes differ from the baseline's in a way no more specific plan rule names. See
// shape_changed.md.
#include <memory>

#include "pgsift/plan_rules.h"

namespace pgsift::plan {
namespace {

class ShapeChanged : public PlanRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        .id = "plan-shape-changed",
        .aliases = {},
        .summary = "A guarded query's plan changed shape",
        .severity = Severity::kWarning,
        .input = RuleInput::kPlan,
        .doc = "rules/plan/shape_changed.md",
    };
    return kInfo;
  }

  void Check(const PlanOutcome& o, FindingSink& sink) const override {
    if (o.after == nullptr || !o.shape_differs || o.Specific()) return;
    sink.Report(PlanFinding(o, Info().id, Info().severity, "plan shape changed",
                            "The plan's nodes differ from the baseline; compare the plans below."));
  }
};

}  // namespace

std::unique_ptr<Rule> MakeShapeChanged() { return std::make_unique<ShapeChanged>(); }

}  // namespace pgsift::plan
