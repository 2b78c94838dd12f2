// plan-seq-scan-new: a table the baseline plan read another way is now read with a Seq Scan. See seq_scan_new.md.
#include <memory>

#include "pgsift/plan_rules.h"

namespace pgsift::plan {
namespace {

class SeqScanNew : public PlanRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        .id = "plan-seq-scan-new",
        .aliases = {},
        .summary = "A guarded query now reads a table with a sequential scan",
        .severity = Severity::kError,
        .input = RuleInput::kPlan,
        .doc = "rules/plan/seq_scan_new.md",
    };
    return kInfo;
  }

  void Check(const PlanOutcome& o, FindingSink& sink) const override {
    if (o.after == nullptr || o.new_seq_scans.empty()) return;
    // Not a regression when the new plan is not more expensive.
    sink.Report(
        PlanFinding(o, Info().id, o.cheaper ? Severity::kWarning : Severity::kError,
                    "now reads " + ListNames(o.new_seq_scans) + " with a sequential scan",
                    "A sequential scan reads the whole table on every call; check which index the query used before."));
  }
};

}  // namespace

std::unique_ptr<Rule> MakeSeqScanNew() { return std::make_unique<SeqScanNew>(); }

}  // namespace pgsift::plan
