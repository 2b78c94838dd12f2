// Shared by the session-burst rules (n_plus_one, repeated_identical_query):
// the facts every burst finding shows. No literal or parameter value: query
// texts are normalized, code tags are filtered (session_sequences.h).
#pragma once

#include <memory>
#include <string>

#include "pgsift/finding.h"
#include "pgsift/session_sequences.h"
#include "pgsift/workload.h"
#include "pgsift/workload_rules.h"

namespace pgsift::burst {

// A finding for `group` with rule id, fingerprint (the child), key and the
// common facts (child, parent, bursts, sizes, time, share, applications,
// code tags, session identity, example, estimated saving). The caller adds
// severity, message, help and fix.
Finding GroupFinding(const std::string& rule_id, const BurstGroup& group, const Workload& workload);

// Whether the group's child and the other queries of its cycle are all
// reads (and, with `no_pages`, none reads a page of a longer result).
bool AllReads(const BurstGroup& group, const Workload& workload, bool no_pages);

// ", alternating with 1 other query" or "".
std::string AlternatesSuffix(const BurstGroup& group);

// The plumbing of a burst rule: options, the detector fed by the statement
// stream, the groups it fills. Subclasses report in Finish() and call
// Reset() at its end, so one rule object can read several runs.
class BurstRule : public WorkloadRule {
 public:
  Status Configure(const RuleOptions& options) override {
    Result<BurstOptions> o = ParseBurstOptions(options);
    if (!o.ok()) return Err(o.error());
    options_ = *o;
    Reset();
    return Ok{};
  }
  void OnStatement(const StatementRun& run) override { Detector().OnStatement(run); }
  void OnSessionEnd(uint32_t input, uint64_t session, int64_t time_us) override {
    Detector().OnSessionEnd(input, session, time_us);
  }

 protected:
  // `values_differ`: the groups keep bursts whose values differ (N+1) or
  // bursts of identical values (repeats).
  explicit BurstRule(bool values_differ) : values_differ_(values_differ) {}
  BurstDetector& Detector() {
    if (!detector_) Reset();
    return *detector_;
  }
  void Reset() {
    groups_ = std::make_unique<BurstGroups>(values_differ_);
    detector_ = std::make_unique<BurstDetector>(options_, groups_.get());
  }
  BurstOptions options_;
  std::unique_ptr<BurstGroups> groups_;
  std::unique_ptr<BurstDetector> detector_;

 private:
  bool values_differ_;
};

}  // namespace pgsift::burst
