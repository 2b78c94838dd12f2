// EXPLAIN (FORMAT JSON) plans and auto_explain JSON plans read into PlanNode
// trees (ReadExplainJson), then everything `baseline capture` does with a
// plan: the stable, masked copy, the node descriptions, and the baseline file
// written and read back (which must give the same file again).
// fuzz-seeds: fixtures/plans/*.json whole
// fuzz-seeds: fixtures/logs/clinic.stderr.log plan-json
// fuzz-seeds: fixtures/hostile/plan_cut.log plan-json
// fuzz-seeds: fixtures/fuzz/plan_reader_fuzz/* whole
#include <string>

#include "fuzz_util.h"
#include "pgsift/baseline.h"
#include "pgsift/plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto plan = pgsift::ReadExplainJson(pgsift::fuzz::View(data, size));
  if (!plan.ok()) return 0;
  size_t nodes = 0;
  pgsift::WalkPlan(plan->root, [&](const pgsift::PlanNode& n, int) {
    ++nodes;
    (void)pgsift::DescribeNode(n);
  });
  pgsift::Baseline b;
  pgsift::BaselineEntry e;
  e.name = "q";
  e.sql = "SELECT 1";
  e.plan = pgsift::StablePlan(plan->root, /*show_values=*/false);
  b.queries.push_back(e);
  std::string written = pgsift::WriteBaselineJson(b);
  auto back = pgsift::ReadBaselineJson(written, "fuzz");
  if (!back.ok()) __builtin_trap();  // a baseline we wrote must read back
  size_t back_nodes = 0;
  pgsift::WalkPlan(back->queries.at(0).plan, [&](const pgsift::PlanNode&, int) { ++back_nodes; });
  if (back_nodes != nodes) __builtin_trap();
  if (pgsift::WriteBaselineJson(*back) != written) __builtin_trap();  // and the same file again
  return 0;
}
