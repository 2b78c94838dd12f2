// The EXPLAIN JSON reader on real PostgreSQL 15 output (fixtures/plans/,
// made by make_plans.sh) and on auto_explain JSON plans from the real logs.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "pgsift/plan.h"
#include "test_util.h"

namespace pgsift {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ExplainPlan Load(const std::string& name) {
  auto r = ReadExplainJson(ReadFile(testing::Fixture("plans/" + name + ".json")));
  EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error());
  return r.ok() ? std::move(r).value() : ExplainPlan{};
}

// Node types in pre-order, with depth, for compact structural assertions.
std::string Shape(const PlanNode& root) {
  std::string out;
  WalkPlan(root, [&](const PlanNode& n, int depth) {
    out += std::string(static_cast<size_t>(depth) * 2, ' ') + n.node_type;
    if (!n.relation.empty()) out += " on " + n.relation;
    if (!n.index_name.empty()) out += " using " + n.index_name;
    out += "\n";
  });
  return out;
}

TEST(PlanJson, IndexScanWithoutAnalyze) {
  ExplainPlan p = Load("index_scan");
  EXPECT_FALSE(p.analyzed);
  EXPECT_EQ(p.execution_ms, -1);
  EXPECT_EQ(p.root.node_type, "Sort");
  ASSERT_EQ(p.root.children.size(), 1u);
  const PlanNode& heap = p.root.children[0];
  EXPECT_EQ(heap.node_type, "Bitmap Heap Scan");
  EXPECT_EQ(heap.parent_relationship, "Outer");
  EXPECT_TRUE(heap.IsScan());
  EXPECT_EQ(heap.relation, "appointments");
  EXPECT_EQ(heap.alias, "appointments");
  EXPECT_FALSE(heap.has_actual);
  EXPECT_EQ(heap.recheck_cond, "(patient_id = 42)");
  EXPECT_GT(p.root.total_cost, heap.total_cost);
  EXPECT_GT(heap.plan_rows, 0);
  EXPECT_EQ(p.root.sort_key, std::vector<std::string>{"starts_at"});
  ASSERT_EQ(heap.children.size(), 1u);
  const PlanNode& index = heap.children[0];
  EXPECT_EQ(index.node_type, "Bitmap Index Scan");
  EXPECT_EQ(index.index_name, "appointments_patient_id_idx");
  EXPECT_EQ(index.index_cond, "(patient_id = 42)");
  EXPECT_TRUE(index.relation.empty());
}

TEST(PlanJson, HashJoinStrategyAndConditions) {
  ExplainPlan p = Load("hash_join");
  std::string shape = Shape(p.root);
  EXPECT_NE(shape.find("Hash Join"), std::string::npos) << shape;
  const PlanNode* join = nullptr;
  WalkPlan(p.root, [&](const PlanNode& n, int) {
    if (n.node_type == "Hash Join") join = &n;
  });
  ASSERT_NE(join, nullptr);
  EXPECT_TRUE(join->IsJoin());
  EXPECT_EQ(join->join_type, "Inner");
  EXPECT_EQ(join->hash_cond, "(a.patient_id = p.id)");
  ASSERT_EQ(join->children.size(), 2u);
  EXPECT_EQ(join->children[1].node_type, "Hash");
  EXPECT_EQ(join->children[1].parent_relationship, "Inner");
  bool found_agg = false;
  WalkPlan(p.root, [&](const PlanNode& n, int) {
    if (n.node_type == "Aggregate") {
      found_agg = true;
      EXPECT_FALSE(n.strategy.empty());
      EXPECT_EQ(n.group_key, std::vector<std::string>{"p.clinic_id"});
    }
  });
  EXPECT_TRUE(found_agg);
}

TEST(PlanJson, AnalyzeWithBuffers) {
  ExplainPlan p = Load("nested_loop_analyze");
  EXPECT_TRUE(p.analyzed);
  EXPECT_GT(p.planning_ms, 0);
  EXPECT_GT(p.execution_ms, 0);
  EXPECT_EQ(p.root.node_type, "Nested Loop");
  EXPECT_EQ(p.root.join_type, "Inner");
  EXPECT_TRUE(p.root.has_actual);
  EXPECT_EQ(p.root.actual_loops, 1);
  EXPECT_EQ(p.root.actual_rows, 10);
  EXPECT_EQ(p.root.buffers.shared_hit, 42);
  ASSERT_EQ(p.root.children.size(), 2u);
  const PlanNode& inner = p.root.children[1];
  EXPECT_EQ(inner.parent_relationship, "Inner");
  EXPECT_EQ(inner.relation, "patients");
  EXPECT_EQ(inner.index_name, "patients_pkey");
  EXPECT_EQ(inner.actual_loops, 10);
  EXPECT_EQ(inner.index_cond, "(id = a.patient_id)");
  const PlanNode& outer = p.root.children[0];
  ASSERT_EQ(outer.children.size(), 1u);
  EXPECT_EQ(outer.children[0].node_type, "Bitmap Index Scan");
  EXPECT_EQ(outer.children[0].index_name, "appointments_doctor_starts_idx");
}

TEST(PlanJson, SeqScanRowsRemovedByFilter) {
  ExplainPlan p = Load("seq_scan_analyze");
  const PlanNode* scan = nullptr;
  WalkPlan(p.root, [&](const PlanNode& n, int) {
    if (n.node_type == "Seq Scan") scan = &n;
  });
  ASSERT_NE(scan, nullptr);
  EXPECT_GT(scan->rows_removed_by_filter, 0);
  EXPECT_NE(scan->filter.find("status = 'cancelled'::text"), std::string::npos) << scan->filter;
  EXPECT_GT(scan->buffers.shared_total(), 0);
}

TEST(PlanJson, SortSpillsToTemp) {
  ExplainPlan p = Load("sort_temp_analyze");
  EXPECT_EQ(p.root.node_type, "Sort");
  EXPECT_GT(p.root.buffers.temp_written, 0);
  EXPECT_GT(p.root.buffers.temp_read, 0);
}

// auto_explain (log_format = json) plans as they appear in the real stderr
// log: the message body after "plan:", each line indented by a tab.
TEST(PlanJson, AutoExplainPlansFromRealLog) {
  std::string log = ReadFile(testing::Fixture("logs/clinic.stderr.log"));
  int plans = 0;
  for (size_t p = log.find("plan:\n\t{"); p != std::string::npos; p = log.find("plan:\n\t{", p + 1)) {
    std::string body;
    size_t line = log.find('\n', p) + 1;
    while (line < log.size() && log[line] == '\t') {
      size_t end = log.find('\n', line);
      body.append(log, line + 1, end - line);
      line = end + 1;
    }
    auto r = ReadExplainJson(body);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_TRUE(r->analyzed);
    EXPECT_FALSE(r->query_text.empty());
    EXPECT_EQ(r->root.node_type, "Aggregate");
    ++plans;
  }
  EXPECT_EQ(plans, 2);
}

TEST(PlanJson, ErrorsNameTheProblemWithoutQuotingInput) {
  auto bad = ReadExplainJson("{\"Plan\": {\"Node Type\": \"Seq Scan\", \"Filter\": \"(name = 'CANARY')\"");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().find("CANARY"), std::string::npos);
  auto no_plan = ReadExplainJson("[{\"Query Text\": \"select 'CANARY'\"}]");
  ASSERT_FALSE(no_plan.ok());
  EXPECT_EQ(no_plan.error(), "EXPLAIN JSON has no \"Plan\"");
  auto no_type = ReadExplainJson("[{\"Plan\": {\"Plans\": []}}]");
  ASSERT_FALSE(no_type.ok());
  EXPECT_EQ(no_type.error(), "a plan node has no \"Node Type\"");
  EXPECT_FALSE(ReadExplainJson("[]").ok());
}

TEST(PlanJson, MaskPlanLiterals) {
  EXPECT_EQ(MaskPlanLiterals("((status = 'cancelled'::text) AND (starts_at > '2026-06-01 00:00:00+00'::timestamp "
                             "with time zone))"),
            "((status = ?::text) AND (starts_at > ?::timestamp with time zone))");
  EXPECT_EQ(MaskPlanLiterals("(patient_id = 42)"), "(patient_id = ?)");
  EXPECT_EQ(MaskPlanLiterals("(col2 = $1)"), "(col2 = $1)");
  EXPECT_EQ(MaskPlanLiterals("(name = 'O''Brien')"), "(name = ?)");
  EXPECT_EQ(MaskPlanLiterals("(\"Col 1\" < 3.5e2)"), "(\"Col 1\" < ?)");
  EXPECT_EQ(MaskPlanLiterals("(x = ANY ('{1,2}'::integer[]))"), "(x = ANY (?::integer[]))");
}

}  // namespace
}  // namespace pgsift
