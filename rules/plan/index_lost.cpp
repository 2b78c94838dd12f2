// plan-index-lost: an index the baseline plan used is not used any more. See index_lost.md.
#include <memory>

#include "pgsift/plan_rules.h"

namespace pgsift::plan {
namespace {

class IndexLost : public PlanRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        .id = "plan-index-lost",
        .aliases = {},
        .summary = "A guarded query no longer uses an index it used",
        .severity = Severity::kError,
        .input = RuleInput::kPlan,
        .doc = "rules/plan/index_lost.md",
    };
    return kInfo;
  }

  void Check(const PlanOutcome& o, FindingSink& sink) const override {
    if (o.after == nullptr || o.lost_indexes.empty()) return;
    // Not a regression when the new plan is not more expensive.
    sink.Report(PlanFinding(o, Info().id, o.cheaper ? Severity::kWarning : Severity::kError,
                            "no longer uses index " + ListNames(o.lost_indexes),
                            "The migration dropped or changed an index this query relied on (or made it unusable, e.g. "
                            "a column type the query's comparison no longer matches). Keep or recreate the index, or "
                            "adjust the query."));
  }
};

}  // namespace

std::unique_ptr<Rule> MakeIndexLost() { return std::make_unique<IndexLost>(); }

}  // namespace pgsift::plan
