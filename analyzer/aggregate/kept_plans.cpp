// The slowest plans per shape (kept_plans.h). Rendered from the parsed plan
// model, so only what the model holds can show: node types, relations,
// indexes, aliases, costs, rows, times, and conditions with literals masked.
#include "pgsift/kept_plans.h"

#include <algorithm>
#include <cstdio>

namespace pgsift {
namespace {

bool Slower(const KeptPlan& a, const KeptPlan& b) {
  if (a.duration_ms != b.duration_ms) return a.duration_ms > b.duration_ms;
  if (a.text != b.text) return a.text < b.text;
  return a.time_us < b.time_us;
}

std::string Fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void AddLine(std::string line, KeptPlan* out, size_t* lines) {
  if (*lines >= KeptPlans::kMaxLines) {
    out->truncated = true;
    return;
  }
  if (line.size() > KeptPlans::kMaxLineBytes) {
    size_t cut = KeptPlans::kMaxLineBytes;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
    line = line.substr(0, cut) + "…";
  }
  out->text += line;
  out->text += '\n';
  ++*lines;
}

// `n` with every field that can quote a value masked (StablePlan masks the
// same fields but drops the actual figures the report wants).
void Mask(PlanNode* n, int depth) {
  n->subplan_name = MaskPlanLiterals(n->subplan_name);
  for (std::string* e : {&n->filter, &n->join_filter, &n->index_cond, &n->recheck_cond, &n->hash_cond, &n->merge_cond}) {
    *e = MaskPlanLiterals(*e);
  }
  for (std::string& k : n->sort_key) k = MaskPlanLiterals(k);
  for (std::string& k : n->group_key) k = MaskPlanLiterals(k);
  if (depth >= 64) {  // bounded recursion: deeper nodes are not shown
    n->children.clear();
    return;
  }
  for (PlanNode& c : n->children) Mask(&c, depth + 1);
}

}  // namespace

bool KeptPlans::Wants(double duration_ms) const {
  return plans_.size() < kMaxPlans || duration_ms >= plans_.back().duration_ms;
}

void KeptPlans::Add(KeptPlan plan) {
  auto same = std::find_if(plans_.begin(), plans_.end(),
                           [&](const KeptPlan& p) { return p.structure == plan.structure; });
  if (same != plans_.end()) {
    if (!Slower(plan, *same)) return;
    plans_.erase(same);
  }
  plans_.insert(std::upper_bound(plans_.begin(), plans_.end(), plan, Slower), std::move(plan));
  if (plans_.size() > kMaxPlans) plans_.pop_back();
}

void KeptPlans::Merge(const KeptPlans& other) {
  for (const KeptPlan& p : other.plans_) Add(p);
}

void RenderKeptPlan(const ExplainPlan& plan, KeptPlan* out) {
  PlanNode root = plan.root;
  Mask(&root, 0);
  out->structure.clear();
  out->text.clear();
  out->truncated = false;
  size_t lines = 0;
  WalkPlan(root, [&](const PlanNode& n, int depth) {
    std::string indent(static_cast<size_t>(std::min(depth, 20)) * 2, ' ');
    std::string head = indent + (depth ? "-> " : "") + DescribeNode(n);
    out->structure += head + "\n";
    std::string line = head + "  (cost=" + Fixed(n.startup_cost, 2) + ".." + Fixed(n.total_cost, 2) +
                       " rows=" + Fixed(n.plan_rows, 0) + " width=" + std::to_string(n.plan_width) + ")";
    if (n.has_actual) {
      line += n.actual_loops > 0 ? " (actual time=" + Fixed(n.actual_startup_ms, 3) + ".." +
                                       Fixed(n.actual_total_ms, 3) + " rows=" + Fixed(n.actual_rows, 0) +
                                       " loops=" + Fixed(n.actual_loops, 0) + ")"
                                 : " (never executed)";
    }
    AddLine(std::move(line), out, &lines);
    std::string pad = indent + (depth ? "     " : "  ");
    auto prop = [&](const char* name, const std::string& v) {
      if (v.empty()) return;
      out->structure += pad + name + ": " + v + "\n";
      AddLine(pad + name + ": " + v, out, &lines);
    };
    auto keys = [&](const char* name, const std::vector<std::string>& v) {
      std::string joined;
      for (const std::string& k : v) joined += (joined.empty() ? "" : ", ") + k;
      prop(name, joined);
    };
    prop("Index Cond", n.index_cond);
    prop("Recheck Cond", n.recheck_cond);
    prop("Hash Cond", n.hash_cond);
    prop("Merge Cond", n.merge_cond);
    prop("Join Filter", n.join_filter);
    prop("Filter", n.filter);
    keys("Sort Key", n.sort_key);
    keys("Group Key", n.group_key);
    if (n.rows_removed_by_filter > 0) {
      AddLine(pad + "Rows Removed by Filter: " + std::to_string(n.rows_removed_by_filter), out, &lines);
    }
    const PlanBuffers& b = n.buffers;
    if (b.shared_hit + b.shared_read + b.temp_read + b.temp_written > 0) {
      AddLine(pad + "Buffers: shared hit=" + std::to_string(b.shared_hit) + " read=" + std::to_string(b.shared_read) +
                  (b.temp_read + b.temp_written > 0
                       ? " temp read=" + std::to_string(b.temp_read) + " written=" + std::to_string(b.temp_written)
                       : ""),
              out, &lines);
    }
  });
  if (plan.planning_ms >= 0) AddLine("Planning Time: " + Fixed(plan.planning_ms, 3) + " ms", out, &lines);
  if (plan.execution_ms >= 0) AddLine("Execution Time: " + Fixed(plan.execution_ms, 3) + " ms", out, &lines);
  if (out->truncated) out->text += "… (" + std::to_string(KeptPlans::kMaxLines) + " lines shown)\n";
}

}  // namespace pgsift
