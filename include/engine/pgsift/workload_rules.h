// Workload rules (RuleInput::kWorkload): read the statement stream while
// logs are read (sessions.h), then the finished Workload. They do no I/O.
#pragma once

#include <memory>
#include <vector>

#include "pgsift/analyze.h"
#include "pgsift/rule.h"
#include "pgsift/session_sequences.h"
#include "pgsift/sessions.h"
#include "pgsift/workload.h"

namespace pgsift {

class WorkloadRule : public Rule, public StatementSink {
 public:
  void OnStatement(const StatementRun& /*run*/) override {}
  void OnSessionEnd(uint32_t /*input*/, uint64_t /*session*/, int64_t /*time_us*/) override {}
  // Called once after every input was read; reports this rule's findings.
  virtual void Finish(const Workload& workload, FindingSink& sink) = 0;
};

// The options of the session-burst rules (workload-n-plus-one,
// workload-repeated-identical-query): `min_burst`, `max_gap_ms`,
// `max_sessions`, `idle_flush_ms`; an unknown key or a bad value is an error
// naming it.
Result<BurstOptions> ParseBurstOptions(const RuleOptions& options);

// Every registered workload rule, configured with default options.
std::vector<std::unique_ptr<WorkloadRule>> MakeWorkloadRules();

// Analyze() with `rules` attached to the statement stream; their findings
// (sorted) land in AnalyzeResult::findings. `rules` may be empty. A sink
// already in options.statements still sees every statement too.
Result<AnalyzeResult> AnalyzeWithRules(AnalyzeOptions options, const std::vector<WorkloadRule*>& rules);

}  // namespace pgsift
