// plan-time-regression: the median EXPLAIN ANALYZE time grew past both thresholds, with a plan
// or buffers change that explains it. See time_regression.md.
#include <memory>

#include "pgsift/format.h"
#include "pgsift/plan_rules.h"

namespace pgsift::plan {
namespace {

class TimeRegression : public PlanRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        .id = "plan-time-regression",
        .aliases = {},
        .summary = "A guarded query's median time grew past the thresholds (ANALYZE)",
        .severity = Severity::kError,
        .input = RuleInput::kPlan,
        .doc = "rules/plan/time_regression.md",
    };
    return kInfo;
  }

  void Check(const PlanOutcome& o, FindingSink& sink) const override {
    if (o.after == nullptr) return;
    const BaselineEntry &b = *o.before, &a = *o.after;
    // The same plan over the same pages doing the same work: a slower median
    // is the machine (a busy CI runner: 33 ms -> 100 ms measured between two
    // runs minutes apart), not the migration. Time counts with a plan or
    // buffer change that can explain it.
    bool more_buffers =
        PastThresholds(static_cast<double>(b.median_shared_blocks), static_cast<double>(a.median_shared_blocks),
                       o.thresholds.buffers_ratio, static_cast<double>(o.thresholds.buffers_abs));
    if (!(o.shape_differs || more_buffers) ||
        !PastThresholds(b.median_ms, a.median_ms, o.thresholds.time_ratio, o.thresholds.time_abs_ms))
      return;
    sink.Report(
        PlanFinding(o, Info().id, Info().severity,
                    "median time " + FormatMs(b.median_ms) + " -> " + FormatMs(a.median_ms),
                    "Measured with EXPLAIN ANALYZE on the scratch database (median of the repeats)."));
  }
};

}  // namespace

std::unique_ptr<Rule> MakeTimeRegression() { return std::make_unique<TimeRegression>(); }

}  // namespace pgsift::plan
