// The slowest auto_explain plans of one query shape, kept for the HTML
// report's drill-down: values redacted, bounded in number and size, and
// merging exactly (per-thread results combine to a one-thread run's).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/plan.h"

namespace pgsift {

// One plan as the report shows it: EXPLAIN-like lines rebuilt from the
// parsed plan (never the log's text), conditions and keys with literals
// masked (MaskPlanLiterals), costs, estimated and actual rows and times.
struct KeptPlan {
  double duration_ms = 0;    // the plan's "duration:" line
  int64_t time_us = 0;       // when it was logged (kNoTime if unknown)
  std::string structure;     // node lines without numbers: what makes two plans "the same plan"
  std::string text;          // at most kMaxLines lines of at most kMaxLineBytes
  bool truncated = false;    // lines were left out
};

// The slowest plan of each distinct structure, at most kMaxPlans
// structures, slowest first. Plans are ordered by duration, then text, then
// time (a total order, so the kept set does not depend on reading order).
class KeptPlans {
 public:
  static constexpr size_t kMaxPlans = 3;
  static constexpr size_t kMaxLines = 40;
  static constexpr size_t kMaxLineBytes = 240;
  // Whether a plan of `duration_ms` could be kept (parsing it is worth it).
  bool Wants(double duration_ms) const;
  void Add(KeptPlan plan);
  void Merge(const KeptPlans& other);
  const std::vector<KeptPlan>& plans() const { return plans_; }

 private:
  std::vector<KeptPlan> plans_;  // slowest first
};

// `plan` rendered as KeptPlan::structure and KeptPlan::text (redacted).
void RenderKeptPlan(const ExplainPlan& plan, KeptPlan* out);

}  // namespace pgsift
