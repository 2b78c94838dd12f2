// Queries files, baseline files and the plan comparison of `pgsift check`,
// on the committed queries file and real PG15 plans (fixtures/plans/).
#include "pgsift/baseline.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "pgsift/plan_rules.h"
#include "pgsift/check_report.h"
#include "test_util.h"

namespace pgsift {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(QueriesFile, ReadsNamesParamsAndLines) {
  std::string path = testing::Fixture("baseline/queries.sql");
  auto q = ReadQueriesFile("queries.sql", ReadFile(path));
  ASSERT_TRUE(q.ok()) << q.error();
  ASSERT_EQ(q->size(), 5u);
  EXPECT_EQ((*q)[0].name, "appointments_of_patient");
  EXPECT_EQ((*q)[0].params, std::vector<std::string>{"42"});
  EXPECT_EQ((*q)[0].params_origin, "queries-file");
  EXPECT_EQ((*q)[0].source, "queries.sql:4");
  EXPECT_EQ((*q)[0].sql, "SELECT id, starts_at, status FROM appointments WHERE patient_id = $1 ORDER BY starts_at");
  EXPECT_EQ((*q)[1].params, (std::vector<std::string>{"7", "'2026-03-01 00:00+00'", "'2026-03-02 00:00+00'"}));
  EXPECT_EQ((*q)[2].name, "clinic_counts");
  EXPECT_TRUE((*q)[2].params.empty());
  EXPECT_EQ((*q)[2].params_origin, "");
  EXPECT_EQ((*q)[4].name, "patients_of_clinic");
}

TEST(QueriesFile, DefaultNamesQuotesAndErrors) {
  auto q = ReadQueriesFile("q.sql", "SELECT ';' AS x;\n\nSELECT $$a;b$$, 1 -- trailing; comment\n;");
  ASSERT_TRUE(q.ok()) << q.error();
  ASSERT_EQ(q->size(), 2u);
  EXPECT_EQ((*q)[0].name, "query_1");
  EXPECT_EQ((*q)[0].sql, "SELECT ';' AS x");
  EXPECT_EQ((*q)[1].name, "query_3");
  EXPECT_EQ((*q)[1].sql, "SELECT $$a;b$$, 1");
  auto dup = ReadQueriesFile("q.sql", "-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error(), "q.sql:4: query name a used twice");
  auto open = ReadQueriesFile("q.sql", "SELECT 1;\nSELECT 'x");
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.error(), "q.sql:2: unterminated quoted text at end of file");
  auto bad = ReadQueriesFile("q.sql", "-- name: no spaces allowed\nSELECT 1;");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("q.sql:1:"), std::string::npos);
  auto dangling = ReadQueriesFile("q.sql", "SELECT 1;\n-- name: last\n");
  ASSERT_FALSE(dangling.ok());
  EXPECT_EQ(dangling.error(), "q.sql:2: -- name/-- params with no statement after it");
  EXPECT_FALSE(ReadQueriesFile("q.sql", "-- nothing\n").ok());
}

TEST(QueriesFile, SplitParams) {
  EXPECT_EQ(SplitParams(" 1, 'a,b', ARRAY[1,2], f(1, 2) "),
            (std::vector<std::string>{"1", "'a,b'", "ARRAY[1,2]", "f(1, 2)"}));
  EXPECT_EQ(SplitParams("'it''s, ok'"), std::vector<std::string>{"'it''s, ok'"});
  EXPECT_TRUE(SplitParams("  ").empty());
}

TEST(QueriesFile, TopGuardedQueries) {
  std::vector<TopQuery> c = {{3, "SELECT $1", 5},
                             {1, "UPDATE t SET a = $1", 9},
                             {2, "PREPARE pgsift_q AS SELECT 1", 99},
                             {4, "SET work_mem = $1", 50},
                             {5, "WITH x AS (SELECT 1) SELECT * FROM x", 5}};
  auto q = TopGuardedQueries(c, 2, "pg_stat_statements");
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].name, "q_0000000000000001");
  EXPECT_EQ(q[0].sql, "UPDATE t SET a = $1");
  EXPECT_EQ(q[1].name, "q_0000000000000003");  // tie at 5 ms: lower fingerprint first
  EXPECT_TRUE(q[1].optional);
  EXPECT_TRUE(q[1].params.empty());
  EXPECT_EQ(q[1].source, "pg_stat_statements");
}

BaselineEntry Entry(const std::string& name, const std::string& plan_fixture) {
  auto plan = ReadExplainJson(ReadFile(testing::Fixture("plans/" + plan_fixture + ".json")));
  EXPECT_TRUE(plan.ok());
  BaselineEntry e;
  e.name = name;
  e.sql = "SELECT 1";
  e.display = "SELECT $1";
  e.fingerprint = "00000000000000ff";
  e.plan = StablePlan(plan->root, false);
  return e;
}

TEST(BaselineFile, RoundTripIsByteIdenticalAndSorted) {
  Baseline b;
  b.server_major = 15;
  b.database = "clinic";
  b.settings = {{"work_mem", "4096kB"}, {"random_page_cost", "4"}};
  b.queries = {Entry("zeta", "hash_join"), Entry("alpha", "nested_loop_analyze")};
  std::string text = WriteBaselineJson(b);
  EXPECT_LT(text.find("\"alpha\""), text.find("\"zeta\""));
  // Masked: the plan's literals are gone, actual times are not stored.
  EXPECT_EQ(text.find("'2026-03-01"), std::string::npos);
  EXPECT_EQ(text.find("Actual"), std::string::npos);
  EXPECT_NE(text.find("?::timestamp with time zone"), std::string::npos);
  auto back = ReadBaselineJson(text, "b.json");
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(WriteBaselineJson(*back), text);
  EXPECT_EQ(back->queries[0].name, "alpha");
  EXPECT_FALSE(ReadBaselineJson("{\"format\": \"other\"}", "b.json").ok());
  EXPECT_EQ(ReadBaselineJson("[", "b.json").error(), "b.json: not a JSON baseline file");
}

TEST(BaselineFile, LogValuesKeepTagAndGenericFallbackNeverValues) {
  Baseline b;
  b.server_major = 15;
  BaselineEntry e = Entry("q_00000000000000ff", "hash_join");
  e.params_origin = "log";
  e.values_tag = "0123456789abcdef";
  e.param_count = 1;
  e.generic_fallback = Entry("x", "nested_loop_analyze").plan;
  b.queries = {e};
  std::string text = WriteBaselineJson(b);
  auto back = ReadBaselineJson(text, "b.json");
  ASSERT_TRUE(back.ok()) << back.error();
  const BaselineEntry& r = back->queries[0];
  EXPECT_EQ(r.params_origin, "log");
  EXPECT_EQ(r.values_tag, "0123456789abcdef");
  EXPECT_TRUE(r.params.empty());
  ASSERT_TRUE(r.generic_fallback.has_value());
  EXPECT_EQ(r.generic_fallback->node_type, e.generic_fallback->node_type);
  EXPECT_EQ(WriteBaselineJson(*back), text);
  // Entries without log values carry neither key.
  b.queries = {Entry("plain", "hash_join")};
  text = WriteBaselineJson(b);
  EXPECT_EQ(text.find("values_tag"), std::string::npos);
  EXPECT_EQ(text.find("generic_fallback_plan"), std::string::npos);
}

TEST(ComparePlans, SamePlanIsUnchanged) {
  BaselineEntry e = Entry("q", "index_scan");
  std::vector<Finding> findings;
  QueryComparison c = ComparePlans(e, e, CheckThresholds{}, &findings);
  EXPECT_EQ(c.status, "unchanged");
  EXPECT_TRUE(findings.empty());
  EXPECT_TRUE(c.shape_changes.empty());
}

// The index scan replaced by a sequential scan of the same table, as after
// DROP INDEX: lost index, new seq scan and a cost regression.
TEST(ComparePlans, LostIndexBecomesSeqScan) {
  BaselineEntry before = Entry("q", "index_scan");
  BaselineEntry after = before;
  PlanNode& heap = after.plan.children[0];
  heap.node_type = "Seq Scan";
  heap.filter = heap.recheck_cond;
  heap.recheck_cond.clear();
  heap.children.clear();
  heap.total_cost = 2120;
  after.plan.total_cost = 2120.07;
  std::vector<Finding> findings;
  QueryComparison c = ComparePlans(before, after, CheckThresholds{}, &findings);
  EXPECT_EQ(c.status, "regressed");
  EXPECT_EQ(c.lost_indexes, std::vector<std::string>{"appointments_patient_id_idx"});
  std::vector<std::string> rules;
  for (const Finding& f : findings) rules.push_back(f.rule_id + ":" + std::string(SeverityName(f.severity)));
  std::sort(rules.begin(), rules.end());
  EXPECT_EQ(rules, (std::vector<std::string>{"plan-cost-regression:error", "plan-index-lost:error",
                                             "plan-seq-scan-new:error"}));
  ASSERT_EQ(c.new_tree.size(), 2u);
  EXPECT_EQ(c.new_tree[1], "  -> Seq Scan on appointments  (cost=2120.00 rows=5)  filter: (patient_id = ?)");

  // Thresholds need both the ratio and the absolute change.
  findings.clear();
  CheckThresholds loose;
  loose.cost_abs = 5000;
  ComparePlans(before, after, loose, &findings);
  for (const Finding& f : findings) EXPECT_NE(f.rule_id, "plan-cost-regression");
}

TEST(ComparePlans, CheaperIndexSwitchIsAWarning) {
  BaselineEntry before = Entry("q", "index_scan");
  BaselineEntry after = before;
  after.plan.children[0].children[0].index_name = "appointments_patient_starts_idx";
  after.plan.total_cost = 10;
  std::vector<Finding> findings;
  QueryComparison c = ComparePlans(before, after, CheckThresholds{}, &findings);
  EXPECT_EQ(c.status, "changed");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule_id, "plan-index-lost");
  EXPECT_EQ(findings[0].severity, Severity::kWarning);
}

TEST(ComparePlans, JoinStrategyAndTimeThresholds) {
  BaselineEntry before = Entry("q", "nested_loop_analyze");
  before.median_ms = 1.0;
  BaselineEntry after = before;
  after.plan.node_type = "Hash Join";
  after.median_ms = 4.0;  // x4 but only +3 ms: noise
  std::vector<Finding> findings;
  QueryComparison c = ComparePlans(before, after, CheckThresholds{}, &findings);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule_id, "plan-join-strategy-changed");
  EXPECT_EQ(c.status, "changed");
  after.median_ms = 9.0;
  findings.clear();
  c = ComparePlans(before, after, CheckThresholds{}, &findings);
  EXPECT_EQ(c.status, "regressed");
  EXPECT_EQ(findings.size(), 2u);
  // The same plan over the same buffers, only slower: the machine, not the
  // migration.
  BaselineEntry same = before;
  same.median_ms = 9.0;
  findings.clear();
  c = ComparePlans(before, same, CheckThresholds{}, &findings);
  EXPECT_EQ(c.status, "unchanged");
  EXPECT_TRUE(findings.empty());
  // ... unless it also reads many more pages.
  before.median_shared_blocks = 100;
  same.median_shared_blocks = 1000;
  findings.clear();
  c = ComparePlans(before, same, CheckThresholds{}, &findings);
  EXPECT_EQ(c.status, "regressed");
  std::set<std::string> rules;
  for (const Finding& f : findings) rules.insert(f.rule_id);
  EXPECT_EQ(rules, (std::set<std::string>{"plan-buffers-regression", "plan-time-regression"}));
}

// Every check output of a regressed query: the literal 42 of the plan's
// conditions never appears, the diff does, and rendering is deterministic.
TEST(CheckReport, FormatsMaskValuesAndAreDeterministic) {
  BaselineEntry before = Entry("appointments_of_patient", "index_scan");
  BaselineEntry after = before;
  after.plan.children[0].node_type = "Seq Scan";
  after.plan.children[0].children.clear();
  after.plan.total_cost = 2120.07;
  CheckReport r;
  r.baseline_path = "plan-baseline.json";
  r.migrations = {"V2__drop.sql"};
  r.statistics = "template copy of clinic";
  for (const auto& rule : MakePlanRules()) r.rules.push_back(rule->Info());
  r.queries.push_back(ComparePlans(before, after, CheckThresholds{}, &r.findings));
  for (Finding& f : r.findings) f.location.file = r.baseline_path;
  SortFindings(&r.findings);
  std::string text = CheckText(r), md = CheckMarkdown(r), json = CheckJson(r);
  std::string sarif = LintSarif(ToLintReport(r)), junit = LintJunit(ToLintReport(r));
  for (const std::string* out : {&text, &md, &json, &sarif, &junit}) {
    EXPECT_EQ(out->find("= 42"), std::string::npos) << *out;
    EXPECT_NE(out->find("plan-index-lost"), std::string::npos) << *out;
  }
  EXPECT_NE(text.find("FAIL appointments_of_patient  regressed  cost 23.33 -> 2120.07 (x90.87)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Bitmap Index Scan using appointments_patient_id_idx"), std::string::npos);
  EXPECT_NE(md.find("| ❌ | `appointments_of_patient` | regressed | 23.33 | 2120.07 |"), std::string::npos) << md;
  EXPECT_NE(md.find("+   -> Seq Scan on appointments"), std::string::npos) << md;
  EXPECT_EQ(CheckText(r), text);
  EXPECT_EQ(CheckJson(r), json);
}

}  // namespace
}  // namespace pgsift
