// plan-buffers-regression: the root node's shared buffers (EXPLAIN ANALYZE) grew past both thresholds. See
// buffers_regression.md.
#include <memory>

#include "pgsift/plan_rules.h"

namespace pgsift::plan {
namespace {

class BuffersRegression : public PlanRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        .id = "plan-buffers-regression",
        .aliases = {},
        .summary = "A guarded query reads many more buffers",
        .severity = Severity::kError,
        .input = RuleInput::kPlan,
        .doc = "rules/plan/buffers_regression.md",
    };
    return kInfo;
  }

  void Check(const PlanOutcome& o, FindingSink& sink) const override {
    if (o.after == nullptr) return;
    int64_t before = o.before->median_shared_blocks, after = o.after->median_shared_blocks;
    if (!PastThresholds(static_cast<double>(before), static_cast<double>(after), o.thresholds.buffers_ratio,
                        static_cast<double>(o.thresholds.buffers_abs)))
      return;
    sink.Report(PlanFinding(o, Info().id, Info().severity,
                            "shared buffers " + std::to_string(before) + " -> " + std::to_string(after),
                            "The query touches many more pages after the migration."));
  }
};

}  // namespace

std::unique_ptr<Rule> MakeBuffersRegression() { return std::make_unique<BuffersRegression>(); }

}  // namespace pgsift::plan
