// Plan rules (RuleInput::kPlan): what happened to one guarded query of a
// baseline between its plan before the migrations and its re-plan after them
// (`pgsift check`). Each rule is a class in rules/plan/; the engine derives
// the facts several rules share (lost indexes, new sequential scans, join
// nodes, shape) once per query in PlanOutcome.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "pgsift/baseline.h"
#include "pgsift/config.h"
#include "pgsift/finding.h"
#include "pgsift/rule.h"

namespace pgsift {

struct PlanOutcome {
  // Plan shape as in the baseline; costs, time and buffers as measured on
  // the scratch database before the migrations (-1: not measured). Never null.
  const BaselineEntry* before = nullptr;
  // The re-plan; null when the query was refused or no longer plans.
  const BaselineEntry* after = nullptr;
  std::string refused;  // why the statement gate refused the baseline's text (never sent)
  std::string error;    // after null and not refused: why the query does not plan
  CheckThresholds thresholds;
  // With `after`, from the two plans:
  bool shape_differs = false;           // node by node: type, relation, index, join, strategy, position
  bool cheaper = false;                 // new total cost <= old
  std::set<std::string> lost_indexes;   // used before, not after
  std::set<std::string> new_seq_scans;  // tables read before another way, now by a Seq Scan
  std::multiset<std::string> joins_before, joins_after;  // join node types
  // Cheaper past the cost thresholds read backwards (old/new >= cost_ratio
  // and old-new >= cost_abs): a shape change then is an improvement, said
  // at info, never at warning.
  bool improved = false;
  // A lost index, a new sequential scan or another join strategy: the
  // shape change has a name more specific than plan-shape-changed.
  bool Specific() const { return !lost_indexes.empty() || !new_seq_scans.empty() || joins_before != joins_after; }
};

// The outcome of a re-planned query: the shared facts filled in.
PlanOutcome ComparePlanPair(const BaselineEntry& before, const BaselineEntry& after, const CheckThresholds& thresholds);

// Both a relative and an absolute change: after/before >= ratio (any growth
// from 0) and after-before >= abs; false when either was not measured (< 0).
bool PastThresholds(double before, double after, double ratio, double abs);

// "%.*f".
std::string FixedDigits(double value, int digits);
// "a, b, c" in set order; ListJoins says "none" for no join.
std::string ListNames(const std::set<std::string>& names);
std::string ListJoins(const std::multiset<std::string>& joins);

class PlanRule : public Rule {
 public:
  virtual void Check(const PlanOutcome& outcome, FindingSink& sink) const = 0;
};

// A finding about a re-planned query: the message after the query's name,
// the baseline's fingerprint, cost (and median time) before -> after as facts.
Finding PlanFinding(const PlanOutcome& outcome, const std::string& rule_id, Severity severity, std::string message,
                    std::string help);

// Every registered plan rule, in registration order, with default options.
std::vector<std::unique_ptr<PlanRule>> MakePlanRules();

// ComparePlans (baseline.h) with the rules a selection chose (SelectRules,
// config.h) and their configured severities, instead of every registered
// one: a query regressed when one of them reports an error.
QueryComparison ComparePlans(const BaselineEntry& old_entry, const BaselineEntry& new_entry,
                             const CheckThresholds& thresholds, const std::vector<PlanRule*>& rules,
                             const std::map<std::string, SeverityOverride>& severities,
                             std::vector<Finding>* findings);

}  // namespace pgsift
