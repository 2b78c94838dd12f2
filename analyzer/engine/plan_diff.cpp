// Compares a guarded query's baseline plan with its plan after migrations.
// Shape is compared node by node (type, relation, index, join type,
// strategy, position); costs, times and buffers only count as a regression
// when both the ratio and the absolute change pass their thresholds, so
// planner noise does not fail a build.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "pgsift/baseline.h"

namespace pgsift {
namespace {

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

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
    line += (depth ? "-> " : "") + DescribeNode(n) + "  (cost=" + Fixed(n.total_cost, 2) +
            " rows=" + Fixed(n.plan_rows, 0) + ")";
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

std::string Join(const std::set<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string JoinMulti(const std::multiset<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
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

bool Beyond(double old_v, double new_v, double ratio, double abs) {
  if (old_v < 0 || new_v < 0) return false;
  return new_v - old_v >= abs && (old_v == 0 ? true : new_v / old_v >= ratio);
}

}  // namespace

QueryComparison ComparePlans(const BaselineEntry& old_e, const BaselineEntry& new_e, const CheckThresholds& t,
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

  auto report = [&](const char* rule, Severity severity, std::string message, std::string help) {
    Finding f;
    f.rule_id = rule;
    f.severity = severity;
    f.message = c.name + ": " + std::move(message);
    f.help = std::move(help);
    f.fingerprint = ParseHex(old_e.fingerprint);
    f.key_extra = c.name;
    f.facts = {{"cost", Fixed(c.old_cost, 2) + " -> " + Fixed(c.new_cost, 2)}};
    if (c.old_ms >= 0 && c.new_ms >= 0)
      f.facts.emplace_back("median time", Fixed(c.old_ms, 3) + " ms -> " + Fixed(c.new_ms, 3) + " ms");
    findings->push_back(std::move(f));
  };

  bool cheaper = c.new_cost <= c.old_cost;
  Severity shape_severity = cheaper ? Severity::kWarning : Severity::kError;
  bool shape_differs = ShapeLines(old_e.plan) != ShapeLines(new_e.plan);
  bool specific = false;

  std::set<std::string> old_idx = Indexes(old_e.plan), new_idx = Indexes(new_e.plan);
  for (const std::string& i : old_idx) {
    if (!new_idx.count(i)) c.lost_indexes.push_back(i);
  }
  if (!c.lost_indexes.empty()) {
    std::set<std::string> lost(c.lost_indexes.begin(), c.lost_indexes.end());
    c.shape_changes.push_back("no longer uses index " + Join(lost));
    report("plan-index-lost", shape_severity, "no longer uses index " + Join(lost),
           "The migration dropped or changed an index this query relied on (or made it unusable, e.g. a column type "
           "the query's comparison no longer matches). Keep or recreate the index, or adjust the query.");
    specific = true;
  }
  std::set<std::string> old_seq = SeqScanned(old_e.plan), old_rel = Relations(old_e.plan);
  std::set<std::string> new_seq_only;
  for (const std::string& r : SeqScanned(new_e.plan)) {
    if (!old_seq.count(r) && old_rel.count(r)) new_seq_only.insert(r);
  }
  if (!new_seq_only.empty()) {
    c.shape_changes.push_back("now reads " + Join(new_seq_only) + " with a sequential scan");
    report("plan-seq-scan-new", shape_severity, "now reads " + Join(new_seq_only) + " with a sequential scan",
           "A sequential scan reads the whole table on every call; check which index the query used before.");
    specific = true;
  }
  std::multiset<std::string> old_joins = Joins(old_e.plan), new_joins = Joins(new_e.plan);
  if (old_joins != new_joins) {
    c.shape_changes.push_back("join strategy " + JoinMulti(old_joins) + " -> " + JoinMulti(new_joins));
    report("plan-join-strategy-changed", Severity::kWarning,
           "join strategy changed: " + JoinMulti(old_joins) + " -> " + JoinMulti(new_joins),
           "Often a consequence of changed row estimates or a lost index; compare the plans below.");
    specific = true;
  }
  if (shape_differs && !specific) {
    c.shape_changes.push_back("plan shape changed");
    report("plan-shape-changed", Severity::kWarning, "plan shape changed",
           "The plan's nodes differ from the baseline; compare the plans below.");
  }
  std::sort(c.shape_changes.begin(), c.shape_changes.end());

  bool regressed = false;
  if (Beyond(c.old_cost, c.new_cost, t.cost_ratio, t.cost_abs)) {
    report("plan-cost-regression", Severity::kError,
           "estimated cost " + Fixed(c.old_cost, 2) + " -> " + Fixed(c.new_cost, 2) + " (x" +
               Fixed(c.old_cost > 0 ? c.new_cost / c.old_cost : 0, 1) + ")",
           "The planner expects this query to be much more expensive after the migration.");
    regressed = true;
  }
  bool more_buffers = Beyond(static_cast<double>(c.old_blocks), static_cast<double>(c.new_blocks), t.buffers_ratio,
                             static_cast<double>(t.buffers_abs));
  // The same plan over the same pages doing the same work: a slower median
  // is the machine (a busy CI runner: 33 ms -> 100 ms measured between two
  // runs minutes apart), not the migration. Time counts with a plan or
  // buffer change that can explain it.
  if ((shape_differs || more_buffers) && Beyond(c.old_ms, c.new_ms, t.time_ratio, t.time_abs_ms)) {
    report("plan-time-regression", Severity::kError,
           "median time " + Fixed(c.old_ms, 3) + " ms -> " + Fixed(c.new_ms, 3) + " ms",
           "Measured with EXPLAIN ANALYZE on the scratch database (median of the repeats).");
    regressed = true;
  }
  if (more_buffers) {
    report("plan-buffers-regression", Severity::kError,
           "shared buffers " + std::to_string(c.old_blocks) + " -> " + std::to_string(c.new_blocks),
           "The query touches many more pages after the migration.");
    regressed = true;
  }
  if (regressed ||
      (!c.shape_changes.empty() && !cheaper && (specific && (!c.lost_indexes.empty() || !new_seq_only.empty())))) {
    c.status = "regressed";
  } else if (!c.shape_changes.empty()) {
    c.status = "changed";
  } else {
    c.status = "unchanged";
  }
  return c;
}

}  // namespace pgsift
