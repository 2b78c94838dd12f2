// pg_stat_statements rules (pgss-n-plus-one-suspect) on real PG15 exports
// (fixtures/rules/make_pgss_suspects.sh): options, the weekly report's
// findings with and without logs, and that no planted value reaches any
// output.
#include "pgsift/pgss_rules.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pgsift/lookup_shape.h"
#include "pgsift/report.h"
#include "pgsift/workload_rules.h"
#include "test_util.h"

namespace pgsift {
namespace {

using testing::Fixture;

Snapshot Export(const std::string& name) {
  auto s = ReadPgssExport(Fixture("rules/pgss-n-plus-one-suspect/" + name));
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error());
  return s.ok() ? *s : Snapshot{};
}

std::vector<Finding> Suspects(const Snapshot& s, const RuleOptions& options) {
  auto rule = MakeRule("pgss-n-plus-one-suspect");
  auto* p = dynamic_cast<PgssRule*>(rule.get());
  EXPECT_NE(p, nullptr);
  if (p == nullptr) return {};
  EXPECT_TRUE(p->Configure(options).ok());
  return RunPgssRules(CumulativeWindow(s), {p});
}

TEST(PgssRules, SuspectNeedsCallsOneRowAndALookupShape) {
  Snapshot nplus1 = Export("err_nplus1_csv.csv");
  auto found = Suspects(nplus1, {});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::kInfo);
  EXPECT_EQ(found[0].fix, "SELECT id, name, birth_date FROM patients WHERE id = ANY($1)");
  // The history query (10 rows per call) is no suspect even when every
  // threshold but rows-per-call is lowered.
  RuleOptions low;
  low.Set("min_calls", "100");
  for (const Finding& f : Suspects(nplus1, low)) EXPECT_EQ(f.key_extra, "patients") << f.message;
  // 1800 calls: above 1800 the lookup is no longer frequent enough.
  RuleOptions high;
  high.Set("min_calls", "1801");
  EXPECT_TRUE(Suspects(nplus1, high).empty());
  // The batched workload's 600 single lookups are below the default.
  Snapshot batched = Export("ok_batched_csv.csv");
  EXPECT_TRUE(Suspects(batched, {}).empty());
  low.Set("min_calls", "500");
  EXPECT_EQ(Suspects(batched, low).size(), 1u);
  RuleOptions bad;
  bad.Set("min_calls", "0");
  EXPECT_FALSE(MakeRule("pgss-n-plus-one-suspect")->Configure(bad).ok());
}

TEST(PgssRules, BatchedLookupRewritesOneKeyOnly) {
  EXPECT_EQ(BatchedLookup("SELECT a FROM t WHERE id = $1"), "SELECT a FROM t WHERE id = ANY($1)");
  EXPECT_EQ(BatchedLookup("SELECT a FROM t WHERE id = $1 AND b = $2"), "");
  EXPECT_EQ(BatchedLookup("SELECT a FROM t WHERE id > $1"), "");
}

// Without logs the report shows the suspect and says the log rules did not
// run; with the logs of an N+1 on the same lookup (the rule fixture of
// workload-n-plus-one, the same query text) the confirmed log finding
// replaces the suspect.
TEST(PgssRules, ReportShowsSuspectUntilLogsConfirmIt) {
  Snapshot to = Export("err_nplus1_json.json");
  Report plain = BuildReport(Snapshot{}, to, nullptr, nullptr, 0, ReportOptions{});
  ASSERT_EQ(plain.findings.size(), 1u);
  EXPECT_EQ(plain.findings[0].rule_id, "pgss-n-plus-one-suspect");
  EXPECT_EQ(plain.rules_run, 1u);
  std::string md = RenderReportMarkdown(plain);
  EXPECT_NE(md.find("possible N+1: patients looked up by id"), std::string::npos);
  EXPECT_NE(md.find(kLogRulesNotRun), std::string::npos);

  auto rules = MakeWorkloadRules();
  std::vector<WorkloadRule*> active;
  for (auto& r : rules) active.push_back(r.get());
  AnalyzeOptions options;
  options.inputs = {Fixture("rules/workload-n-plus-one/err_simple_stderr.log")};
  auto logs = AnalyzeWithRules(options, active);
  ASSERT_TRUE(logs.ok()) << logs.error();
  Report confirmed = BuildReport(Snapshot{}, to, nullptr, &*logs, active.size(), ReportOptions{});
  EXPECT_EQ(confirmed.rules_run, active.size() + 1);
  bool log_finding = false;
  for (const Finding& f : confirmed.findings) {
    EXPECT_NE(f.rule_id, "pgss-n-plus-one-suspect") << "a suspect the logs confirm is left out";
    log_finding |= f.rule_id == "workload-n-plus-one" && f.fingerprint == plain.findings[0].fingerprint;
  }
  EXPECT_TRUE(log_finding);
  EXPECT_EQ(RenderReportMarkdown(confirmed).find(kLogRulesNotRun), std::string::npos);
}

// The weekly HTML shows findings as cards (html_parts::WriteFindingCard, the
// analyze report's renderer), not the terminal text.
TEST(PgssRules, HtmlFindingsAreCards) {
  Report r = BuildReport(Snapshot{}, Export("err_nplus1_csv.csv"), nullptr, nullptr, 0, ReportOptions{});
  ASSERT_FALSE(r.findings.empty());
  std::string html = RenderReportHtml(r);
  size_t cards = 0;
  for (size_t at = html.find("<div class=\"finding "); at != std::string::npos;
       at = html.find("<div class=\"finding ", at + 1)) {
    ++cards;
  }
  EXPECT_EQ(cards, r.findings.size());
  EXPECT_NE(html.find("<code class=\"rule\">" + r.findings[0].rule_id + "</code>"), std::string::npos);
  EXPECT_NE(html.find("<dl class=\"evidence\">"), std::string::npos);
  EXPECT_EQ(html.find("<pre><code>" + RenderFindingsText(r.findings).substr(0, 20)), std::string::npos);
  EXPECT_NE(html.find("<nav class=\"top\""), std::string::npos);
  EXPECT_NE(html.find("<h2 id=\"findings\">"), std::string::npos);
}

TEST(PgssRules, NoPlantedValueInAnyOutput) {
  for (const char* name : {"err_nplus1_csv.csv", "err_nplus1_json.json", "ok_batched_csv.csv"}) {
    Report r = BuildReport(Snapshot{}, Export(name), nullptr, nullptr, 0, ReportOptions{});
    for (const std::string& out :
         {RenderReportMarkdown(r), RenderReportHtml(r), RenderReportJson(r, true), RenderFindingsText(r.findings)}) {
      for (const char* canary : {"CANARY", "Hanako", "55501234"}) {
        EXPECT_EQ(out.find(canary), std::string::npos) << name << " leaks " << canary;
      }
    }
  }
}

}  // namespace
}  // namespace pgsift
