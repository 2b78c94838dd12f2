// The EXPLAIN text reader on real auto_explain text plans from the real logs
// (fixtures/logs, made by make_logs.sh; fixtures/rules/index-missing, made by
// make_index_workload.sh, which logs the same queries' plans as text and as
// JSON), and the plan evidence the index advisor takes from them.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "pgsift/analyze.h"
#include "pgsift/indexes.h"
#include "pgsift/plan.h"
#include "test_util.h"

namespace pgsift {
namespace {

struct LoggedPlan {
  uint64_t fingerprint;
  std::string normalized;
  std::string body;
  bool json;
};

// Keeps every plan the analyzer hands over (the same path `pgsift indexes`
// takes: AnalyzeOptions::plans).
class Capture : public PlanSink {
 public:
  void OnPlan(const Shape& shape, std::string_view plan, bool json) override {
    std::lock_guard<std::mutex> lock(mu_);
    plans.push_back({shape.fingerprint, shape.normalized, std::string(plan), json});
  }
  std::mutex mu_;
  std::vector<LoggedPlan> plans;
};

std::vector<LoggedPlan> PlansOf(const std::string& fixture, unsigned jobs = 1) {
  Capture capture;
  AnalyzeOptions a;
  a.inputs = {testing::Fixture(fixture)};
  a.plans = &capture;
  a.jobs = jobs;
  Result<AnalyzeResult> r = Analyze(a);
  EXPECT_TRUE(r.ok());
  std::sort(capture.plans.begin(), capture.plans.end(), [](const LoggedPlan& x, const LoggedPlan& y) {
    return x.fingerprint != y.fingerprint ? x.fingerprint < y.fingerprint : x.body < y.body;
  });
  return std::move(capture.plans);
}

std::string TreeShape(const PlanNode& root) {
  std::string out;
  WalkPlan(root, [&](const PlanNode& n, int depth) {
    out += std::string(static_cast<size_t>(depth) * 2, ' ') + n.node_type;
    if (!n.strategy.empty()) out += "(" + n.strategy + ")";
    if (!n.join_type.empty()) out += "(" + n.join_type + ")";
    if (!n.relation.empty()) out += " on " + n.relation;
    if (!n.alias.empty() && n.alias != n.relation) out += " " + n.alias;
    if (!n.index_name.empty()) out += " using " + n.index_name;
    out += "\n";
  });
  return out;
}

const LoggedPlan* Find(const std::vector<LoggedPlan>& plans, std::string_view text, bool json) {
  for (const LoggedPlan& p : plans) {
    if (p.json == json && p.normalized.find(text) != std::string::npos) return &p;
  }
  return nullptr;
}

TEST(PlanText, EveryTextPlanInTheClinicLogReads) {
  std::vector<LoggedPlan> plans = PlansOf("logs/clinic.stderr.log");
  size_t text = 0;
  for (const LoggedPlan& p : plans) {
    if (p.json) continue;
    ++text;
    Result<ExplainPlan> r = ReadExplainText(p.body);
    ASSERT_TRUE(r.ok()) << p.normalized << ": " << r.error();
    EXPECT_TRUE(r->analyzed) << p.normalized;  // make_logs.sh sets log_analyze
  }
  EXPECT_GE(text, 6u);
}

TEST(PlanText, SeqScanWithFilterAndRowsRemoved) {
  std::vector<LoggedPlan> plans = PlansOf("logs/clinic.stderr.log");
  const LoggedPlan* p = Find(plans, "count(*) FROM appointments WHERE patient_id = $", false);
  ASSERT_NE(p, nullptr);
  Result<ExplainPlan> r = ReadExplainText(p->body);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(TreeShape(r->root), "Aggregate(Plain)\n  Seq Scan on appointments\n");
  const PlanNode& scan = r->root.children.at(0);
  EXPECT_EQ(scan.parent_relationship, "Outer");
  EXPECT_FALSE(scan.filter.empty());
  EXPECT_EQ(scan.rows_removed_by_filter, 99980);
  EXPECT_EQ(scan.actual_rows, 20);
  EXPECT_EQ(scan.actual_loops, 1);
  EXPECT_DOUBLE_EQ(scan.total_cost, 2236.30);
  EXPECT_DOUBLE_EQ(scan.plan_rows, 424);
  EXPECT_DOUBLE_EQ(scan.actual_total_ms, 4.680);
  EXPECT_DOUBLE_EQ(r->root.actual_total_ms, 64.877);

  PlanEvidence e;
  AddPlanEvidence(*r, &e);
  const TableScanEvidence& t = e.tables.at("appointments");
  EXPECT_EQ(t.seq_scans, 1u);
  EXPECT_EQ(t.index_scans, 0u);
  EXPECT_NEAR(t.RemovedFraction(), 99980.0 / 100000.0, 1e-9);
  EXPECT_NEAR(t.TimeShare(), 4.680 / 64.877, 1e-9);
  EXPECT_EQ(DescribePlanEvidence(t),
            "1 plan of 1 read appointments with a Seq Scan and a Filter; the filter removed 100.0% of 100000 rows "
            "read (1 loops), 7.2% of the plan time");
}

TEST(PlanText, JoinsAggregatesAndHashes) {
  std::vector<LoggedPlan> plans = PlansOf("logs/clinic.stderr.log");
  const LoggedPlan* p = Find(plans, "sum(i.amount) AS billed", false);
  ASSERT_NE(p, nullptr);
  Result<ExplainPlan> r = ReadExplainText(p->body);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(TreeShape(r->root),
            "Limit\n"
            "  Sort\n"
            "    Aggregate(Hashed)\n"
            "      Hash Join(Inner)\n"
            "        Hash Join(Right)\n"
            "          Seq Scan on invoices i\n"
            "          Hash\n"
            "            Seq Scan on appointments a\n"
            "        Hash\n"
            "          Seq Scan on patients p\n");
  const PlanNode& sort = r->root.children.at(0);
  ASSERT_EQ(sort.sort_key.size(), 1u);
  EXPECT_EQ(sort.sort_key[0], "(sum(i.amount)) DESC NULLS LAST");
  EXPECT_EQ(sort.children.at(0).group_key, std::vector<std::string>{"p.name"});
  const PlanNode& join = sort.children.at(0).children.at(0);
  EXPECT_EQ(join.hash_cond, "(a.patient_id = p.id)");
  EXPECT_EQ(join.children.at(0).parent_relationship, "Outer");
  EXPECT_EQ(join.children.at(1).parent_relationship, "Inner");
}

TEST(PlanText, ModifyTableAndIndexScan) {
  std::vector<LoggedPlan> plans = PlansOf("logs/clinic.stderr.log");
  const LoggedPlan* p = Find(plans, "UPDATE invoices SET paid", false);
  ASSERT_NE(p, nullptr);
  Result<ExplainPlan> r = ReadExplainText(p->body);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(TreeShape(r->root), "ModifyTable on invoices\n  Index Scan on invoices using invoices_pkey\n");
  EXPECT_EQ(r->root.operation, "Update");
  EXPECT_EQ(r->root.children.at(0).scan_direction, "Forward");
  PlanEvidence e;
  AddPlanEvidence(*r, &e);
  EXPECT_EQ(e.tables.at("invoices").index_scans, 1u);
  EXPECT_EQ(e.tables.at("invoices").indexes_used, std::vector<std::string>{"invoices_pkey"});
}

// The index workload logs every slow query's plan twice, as text and as
// JSON: both readers must find the same tree and the same evidence.
TEST(PlanText, TextAndJsonPlansOfTheSameQueriesAgree) {
  std::vector<LoggedPlan> text = PlansOf("rules/index-missing/err_clinic_stderr.log");
  std::vector<LoggedPlan> json = PlansOf("rules/index-missing/err_clinic_json_plans_stderr.log");
  // Per fingerprint: the text plans' shapes, each with its evidence summary.
  std::map<uint64_t, std::map<std::string, std::string>> text_plans;
  auto summary = [](const ExplainPlan& p) {
    PlanEvidence e;
    AddPlanEvidence(p, &e);
    std::string out;
    for (const auto& [rel, t] : e.tables) {
      out += rel + " seq=" + std::to_string(t.seq_scans) + " idx=" + std::to_string(t.index_scans);
      for (const std::string& i : t.indexes_used) out += " " + i;
      out += t.RemovedFraction() >= 0 ? " analyzed;" : ";";
    }
    return out;
  };
  size_t text_count = 0, json_count = 0, compared = 0;
  for (const LoggedPlan& p : text) {
    if (p.json) continue;
    ++text_count;
    Result<ExplainPlan> r = ReadExplainText(p.body);
    ASSERT_TRUE(r.ok()) << p.normalized << ": " << r.error();
    EXPECT_TRUE(r->analyzed) << p.normalized;
    text_plans[p.fingerprint][TreeShape(r->root)] = summary(*r);
  }
  for (const LoggedPlan& p : json) {
    if (!p.json) continue;
    ++json_count;
    Result<ExplainPlan> r = ReadExplainJson(p.body);
    ASSERT_TRUE(r.ok()) << p.normalized << ": " << r.error();
    auto fp = text_plans.find(p.fingerprint);
    if (fp == text_plans.end()) continue;  // over the time limit in one run only
    auto shape = fp->second.find(TreeShape(r->root));
    ASSERT_NE(shape, fp->second.end()) << p.normalized << ": JSON plan\n" << TreeShape(r->root);
    EXPECT_EQ(shape->second, summary(*r)) << p.normalized;
    ++compared;
  }
  EXPECT_GE(text_count, 40u);
  EXPECT_GE(json_count, 6u);
  EXPECT_GE(compared, 6u);
}

TEST(PlanText, ParallelReadingHandsOverEveryPlan) {
  EXPECT_EQ(PlansOf("logs/clinic.stderr.log", 1).size(), PlansOf("logs/clinic.stderr.log", 4).size());
}

TEST(PlanText, ErrorsNeverQuoteTheInput) {
  Result<ExplainPlan> r = ReadExplainText("Filter: (name = 'CANARY-7731'::text)\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().find("CANARY"), std::string::npos);
  EXPECT_FALSE(ReadExplainText("").ok());
  Result<ExplainPlan> child = ReadExplainText("  ->  Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)\n");
  ASSERT_FALSE(child.ok());
  EXPECT_NE(child.error().find("line 1"), std::string::npos);
}

}  // namespace
}  // namespace pgsift
