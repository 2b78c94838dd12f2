// Compares a guarded query's baseline plan with its plan after migrations.
// Shape is compared node by node (type, relation, index, join type,
// strategy, position); what counts as a regression is up to the plan rules
// (rules/plan/), which read the facts derived here.
#include <algorithm>
#include <cstdio>

#include "pgsift/format.h"
#include "pgsift/plan_rules.h"

namespace pgsift {
namespace {

// What identifies a node's place in the shape (no costs, no conditions).
std::string Signature(const PlanNode& n) {
  return n.parent_relationship + "|" + DescribeNode(n) + "|" + n.strategy + "|" + n.scan_direction;
}

std::vector<std::string> ShapeLines(const PlanNode& root) {
  std::vector<std::string> out;
  WalkPlan(root, [&](const PlanNode& n, int depth) { out.push_back(std::to_string(depth) + ":" + Signature(n)); });
  return out;
}

std::vector<std::string> TreeLines(const PlanNode& root) {
  std::vector<std::string> out;
  WalkPlan(root, [&](const PlanNode& n, int depth) {
    std::string line(static_cast<size_t>(depth) * 2, ' ');
    line += (depth ? "-> " : "") + DescribeNode(n) + "  (cost=" + FixedDigits(n.total_cost, 2) +
            " rows=" + FixedDigits(n.plan_rows, 0) + ")";
    std::string cond = !n.index_cond.empty()   ? "index: " + n.index_cond
                       : !n.hash_cond.empty()  ? "hash: " + n.hash_cond
                       : !n.merge_cond.empty() ? "merge: " + n.merge_cond
                       : !n.filter.empty()     ? "filter: " + n.filter
                                               : "";
    if (!cond.empty()) line += "  " + cond;
    out.push_back(std::move(line));
  });
  return out;
}

std::multiset<std::string> Joins(const PlanNode& root) {
  std::multiset<std::string> out;
  WalkPlan(root, [&](const PlanNode& n, int) {
    if (n.IsJoin()) out.insert(n.node_type);
  });
  return out;
}

std::set<std::string> Indexes(const PlanNode& root) {
  std::set<std::string> out;
  WalkPlan(root, [&](const PlanNode& n, int) {
    if (!n.index_name.empty()) out.insert(n.index_name);
  });
  return out;
}

std::set<std::string> SeqScanned(const PlanNode& root) {
  std::set<std::string> out;
  WalkPlan(root, [&](const PlanNode& n, int) {
    if (n.node_type == "Seq Scan") out.insert(n.relation);
  });
  return out;
}

std::set<std::string> Relations(const PlanNode& root) {
  std::set<std::string> out;
  WalkPlan(root, [&](const PlanNode& n, int) {
    if (!n.relation.empty()) out.insert(n.relation);
  });
  return out;
}

uint64_t ParseHex(const std::string& hex) {
  uint64_t v = 0;
  for (char c : hex) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return 0;
    v = v * 16 + static_cast<uint64_t>(d);
  }
  return v;
}

}  // namespace

std::string FixedDigits(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

std::string ListNames(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& s : names) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string ListJoins(const std::multiset<std::string>& joins) {
  std::string out;
  for (const std::string& s : joins) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

bool PastThresholds(double before, double after, double ratio, double abs) {
  if (before < 0 || after < 0) return false;
  return after - before >= abs && (before == 0 ? true : after / before >= ratio);
}

PlanOutcome ComparePlanPair(const BaselineEntry& before, const BaselineEntry& after,
                            const CheckThresholds& thresholds) {
  PlanOutcome o;
  o.before = &before;
  o.after = &after;
  o.thresholds = thresholds;
  o.shape_differs = ShapeLines(before.plan) != ShapeLines(after.plan);
  o.cheaper = after.plan.total_cost <= before.plan.total_cost;
  std::set<std::string> new_idx = Indexes(after.plan);
  for (const std::string& i : Indexes(before.plan)) {
    if (!new_idx.count(i)) o.lost_indexes.insert(i);
  }
  std::set<std::string> old_seq = SeqScanned(before.plan), old_rel = Relations(before.plan);
  for (const std::string& r : SeqScanned(after.plan)) {
    if (!old_seq.count(r) && old_rel.count(r)) o.new_seq_scans.insert(r);
  }
  o.joins_before = Joins(before.plan);
  o.joins_after = Joins(after.plan);
  o.improved =
      PastThresholds(after.plan.total_cost, before.plan.total_cost, thresholds.cost_ratio, thresholds.cost_abs);
  return o;
}

Finding PlanFinding(const PlanOutcome& outcome, const std::string& rule_id, Severity severity, std::string message,
                    std::string help) {
  const BaselineEntry& b = *outcome.before;
  const BaselineEntry& a = *outcome.after;
  Finding f;
  f.rule_id = rule_id;
  f.severity = severity;
  f.message = b.name + ": " + std::move(message);
  f.help = std::move(help);
  f.fingerprint = ParseHex(b.fingerprint);
  f.key_extra = b.name;
  f.facts = {{"cost", FixedDigits(b.plan.total_cost, 2) + " -> " + FixedDigits(a.plan.total_cost, 2)}};
  if (b.median_ms >= 0 && a.median_ms >= 0)
    f.facts.emplace_back("median time", FormatMs(b.median_ms) + " -> " + FormatMs(a.median_ms));
  return f;
}

std::vector<std::unique_ptr<PlanRule>> MakePlanRules() {
  std::vector<std::unique_ptr<PlanRule>> out;
  for (auto& rule : MakeAllRules()) {
    if (rule->Info().input != RuleInput::kPlan) continue;
    auto* p = dynamic_cast<PlanRule*>(rule.get());
    if (p == nullptr) continue;
    rule.release();
    out.emplace_back(p);
  }
  return out;
}

QueryComparison ComparePlans(const BaselineEntry& old_e, const BaselineEntry& new_e, const CheckThresholds& t,
                             std::vector<Finding>* findings) {
  static const std::vector<std::unique_ptr<PlanRule>> kRules = MakePlanRules();
  std::vector<PlanRule*> all;
  for (const auto& rule : kRules) all.push_back(rule.get());
  return ComparePlans(old_e, new_e, t, all, {}, findings);
}

QueryComparison ComparePlans(const BaselineEntry& old_e, const BaselineEntry& new_e, const CheckThresholds& t,
                             const std::vector<PlanRule*>& rules,
                             const std::map<std::string, SeverityOverride>& severities,
                             std::vector<Finding>* findings) {
  QueryComparison c;
  c.name = old_e.name;
  c.display = old_e.display;
  c.old_cost = old_e.plan.total_cost;
  c.new_cost = new_e.plan.total_cost;
  c.old_ms = old_e.median_ms;
  c.new_ms = new_e.median_ms;
  c.old_blocks = old_e.median_shared_blocks;
  c.new_blocks = new_e.median_shared_blocks;
  c.old_tree = TreeLines(old_e.plan);
  c.new_tree = TreeLines(new_e.plan);

  PlanOutcome o = ComparePlanPair(old_e, new_e, t);
  c.lost_indexes.assign(o.lost_indexes.begin(), o.lost_indexes.end());
  if (!o.lost_indexes.empty()) c.shape_changes.push_back("no longer uses index " + ListNames(o.lost_indexes));
  if (!o.new_seq_scans.empty())
    c.shape_changes.push_back("now reads " + ListNames(o.new_seq_scans) + " with a sequential scan");
  if (o.joins_before != o.joins_after)
    c.shape_changes.push_back("join strategy " + ListJoins(o.joins_before) + " -> " + ListJoins(o.joins_after));
  if (o.shape_differs && !o.Specific()) c.shape_changes.push_back("plan shape changed");
  std::sort(c.shape_changes.begin(), c.shape_changes.end());

  FindingList found;
  for (const PlanRule* rule : rules) rule->Check(o, found);
  if (o.improved) {
    // A plan that changed and got much cheaper (a new index) is news, not a
    // warning; the user's --set still wins.
    for (Finding& f : found.findings()) {
      if (f.severity != Severity::kWarning) continue;
      f.severity = Severity::kInfo;
      f.message += " (an improvement: cost " + FixedDigits(o.before->plan.total_cost, 2) + " -> " +
                   FixedDigits(o.after->plan.total_cost, 2) + ")";
    }
  }
  ApplySeverities(severities, &found.findings());
  // An error is a regression: a cost, time or buffers regression, or a lost
  // index or new sequential scan in a plan that is not cheaper.
  bool regressed = std::any_of(found.findings().begin(), found.findings().end(),
                               [](const Finding& f) { return f.severity == Severity::kError; });
  c.status = regressed ? "regressed" : c.shape_changes.empty() ? "unchanged" : o.improved ? "improved" : "changed";
  for (Finding& f : found.findings()) findings->push_back(std::move(f));
  return c;
}

}  // namespace pgsift
