// The plan a baseline keeps (plan.h): shape, costs and rows, literals masked.
#include "pgsift/plan.h"

namespace pgsift {

PlanNode StablePlan(const PlanNode& plan, bool show_values) {
  PlanNode n;
  n.node_type = plan.node_type;
  n.parent_relationship = plan.parent_relationship;
  n.subplan_name = show_values ? plan.subplan_name : MaskPlanLiterals(plan.subplan_name);
  n.relation = plan.relation;
  n.schema = plan.schema;
  n.alias = plan.alias;
  n.index_name = plan.index_name;
  n.cte_name = plan.cte_name;
  n.function_name = plan.function_name;
  n.join_type = plan.join_type;
  n.strategy = plan.strategy;
  n.scan_direction = plan.scan_direction;
  n.operation = plan.operation;
  n.parallel_aware = plan.parallel_aware;
  n.workers_planned = plan.workers_planned;
  n.startup_cost = plan.startup_cost;
  n.total_cost = plan.total_cost;
  n.plan_rows = plan.plan_rows;
  n.plan_width = plan.plan_width;
  auto mask = [&](const std::string& e) { return show_values ? e : MaskPlanLiterals(e); };
  n.filter = mask(plan.filter);
  n.join_filter = mask(plan.join_filter);
  n.index_cond = mask(plan.index_cond);
  n.recheck_cond = mask(plan.recheck_cond);
  n.hash_cond = mask(plan.hash_cond);
  n.merge_cond = mask(plan.merge_cond);
  for (const std::string& k : plan.sort_key) n.sort_key.push_back(mask(k));
  for (const std::string& k : plan.group_key) n.group_key.push_back(mask(k));
  for (const PlanNode& c : plan.children) n.children.push_back(StablePlan(c, show_values));
  return n;
}

std::string DescribeNode(const PlanNode& n) {
  std::string out = n.node_type;
  if (!n.strategy.empty() && n.node_type == "Aggregate") out = n.strategy + " " + out;
  if (!n.join_type.empty() && n.join_type != "Inner") out += " (" + n.join_type + ")";
  if (!n.index_name.empty()) out += " using " + n.index_name;
  if (!n.relation.empty()) {
    out += " on " + (n.schema.empty() ? "" : n.schema + ".") + n.relation;
    if (!n.alias.empty() && n.alias != n.relation) out += " " + n.alias;
  }
  if (!n.cte_name.empty()) out += " on " + n.cte_name;
  if (!n.function_name.empty()) out += " on " + n.function_name + "()";
  if (!n.subplan_name.empty()) out = "[" + n.subplan_name + "] " + out;
  return out;
}

}  // namespace pgsift
