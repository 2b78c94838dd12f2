// plan-query-refused: the baseline's statement or parameters may not reach a server: the
// baseline file is untrusted input and was edited (or written by a pgsift
// without the statement gate); the query is never sent. See query_refused.md.
#include <memory>

#include "pgsift/plan_rules.h"

namespace pgsift::plan {
namespace {

class QueryRefused : public PlanRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        .id = "plan-query-refused",
        .aliases = {},
        .summary = "A guarded query of the baseline is not a statement pgsift may send to a server",
        .severity = Severity::kError,
        .input = RuleInput::kPlan,
        .doc = "rules/plan/query_refused.md",
    };
    return kInfo;
  }

  void Check(const PlanOutcome& o, FindingSink& sink) const override {
    if (o.refused.empty()) return;
    // A guarded query the gate refuses is a guard lost: fail, not skip.
    Finding f;
    f.rule_id = Info().id;
    f.severity = Info().severity;
    f.message = o.before->name + ": not sent to the server: " + o.refused;
    f.help =
        "The baseline is untrusted input: pgsift sends only one SELECT (or a DML statement inside a rolled-back "
        "EXPLAIN). Capture the baseline again from the logs or a queries file, and review who edited it.";
    f.key_extra = o.before->name;
    sink.Report(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Rule> MakeQueryRefused() { return std::make_unique<QueryRefused>(); }

}  // namespace pgsift::plan
