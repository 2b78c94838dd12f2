// plan-query-broken: the query no longer plans after the migrations. See query_broken.md.
#include <memory>

#include "pgsift/plan_rules.h"

namespace pgsift::plan {
namespace {

class QueryBroken : public PlanRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        .id = "plan-query-broken",
        .aliases = {},
        .summary = "A guarded query no longer plans after the migrations",
        .severity = Severity::kError,
        .input = RuleInput::kPlan,
        .doc = "rules/plan/query_broken.md",
    };
    return kInfo;
  }

  void Check(const PlanOutcome& o, FindingSink& sink) const override {
    if (o.after != nullptr || !o.refused.empty()) return;
    Finding f;
    f.rule_id = Info().id;
    f.severity = Info().severity;
    f.message = o.before->name + ": no longer plans after the migrations: " + o.error;
    f.help = "The migration broke this query (a dropped column or table, a type the query no longer matches).";
    f.key_extra = o.before->name;
    sink.Report(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Rule> MakeQueryBroken() { return std::make_unique<QueryBroken>(); }

}  // namespace pgsift::plan
