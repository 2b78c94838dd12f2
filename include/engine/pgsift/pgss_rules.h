// Rules that read pg_stat_statements alone: per-fingerprint counters of a
// window (the delta between two snapshots, or one snapshot's or export's
// counters since the last reset). They have no sessions, no times of day and
// no literals, so their findings are weaker than the log rules' and say so.
#pragma once

#include <memory>
#include <vector>

#include "pgsift/finding.h"
#include "pgsift/pgss.h"
#include "pgsift/rule.h"

namespace pgsift {

class PgssRule : public Rule {
 public:
  // `window`: counters per fingerprint (FingerprintDelta::window).
  virtual void Check(const SnapshotDelta& window, FindingSink& sink) const = 0;
};

// Every registered pg_stat_statements rule, with default options.
std::vector<std::unique_ptr<PgssRule>> MakePgssRules();

// Runs `rules` on a window, findings sorted. A suspect that the logs of the
// same window confirm (a `workload-n-plus-one` finding about the same
// fingerprint in `log_findings`) is left out: the log finding says more.
std::vector<Finding> RunPgssRules(const SnapshotDelta& window, const std::vector<const PgssRule*>& rules,
                                  const std::vector<Finding>& log_findings = {});

// The window of a single snapshot or export: every entry's counters since the
// last reset, as if the window began at the reset.
SnapshotDelta CumulativeWindow(const Snapshot& snapshot);

}  // namespace pgsift
