// RunCheck (engine/check.cpp) up to the scratch database: the order of its
// errors, the lint hook, and a migration that does not parse stopping
// before any server is contacted. The scratch runs are the live tests
// (tests/integration/baseline_check_live.sh and others).
#include "pgsift/check.h"

#include <gtest/gtest.h>

#include <fstream>

#include "pgsift/config.h"
#include "pgsift/plan_rules.h"

#include "test_util.h"

namespace pgsift {
namespace {

using testing::Fixture;

CheckRequest Request(const std::string& migrations) {
  CheckRequest r;
  r.baseline_path = Fixture("baseline/clinic.baseline.json");
  r.migrations = {Fixture("baseline/migrations/" + migrations)};
  return r;
}

std::string ReadFileForTest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(RunCheck, UnreadableBaselineComesFirst) {
  CheckRequest r = Request("harmless");
  r.baseline_path = Fixture("baseline/no-such.baseline.json");
  r.scratch.sample_percent = 10;  // also wrong: named only once the baseline is read
  bool linted = false;
  r.lint = [&]() -> Result<CheckLint> {
    linted = true;
    return CheckLint{};
  };
  auto run = RunCheck(r);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error(), r.baseline_path + ": cannot read");
  EXPECT_FALSE(linted);
}

TEST(RunCheck, OptionCombinations) {
  CheckRequest r = Request("harmless");
  r.scratch.sample_percent = 10;
  auto run = RunCheck(r);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error(), "--sample needs --create-scratch-from (the database to sample)");
  r = Request("harmless");
  r.scratch.source_stats = true;
  run = RunCheck(r);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error().find("--source-stats needs"), std::string::npos) << run.error();
}

TEST(RunCheck, LintErrorStops) {
  CheckRequest r = Request("harmless");
  r.lint = []() -> Result<CheckLint> { return Err("bad .pgsift.toml"); };
  auto run = RunCheck(r);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error(), "bad .pgsift.toml");
}

// A syntax error is a report error; nothing is applied, no server is
// needed (the scratch DSN points nowhere). The report carries the plan
// rules from the registry, sorted by id, then the lint's.
TEST(RunCheck, SyntaxErrorStopsBeforeTheScratchDatabase) {
  CheckRequest r = Request("syntax_error");
  r.scratch.connect.dsn = "host=/nonexistent dbname=none";
  r.fail_on = "warning";
  r.lint = []() -> Result<CheckLint> {
    CheckLint lint;
    Finding f;
    f.rule_id = "migration-require-lock-timeout";
    f.location.file = "V2__ok.sql";
    lint.findings.push_back(f);
    RuleInfo info;
    info.id = "migration-require-lock-timeout";
    lint.rules.push_back(info);
    return lint;
  };
  auto run = RunCheck(r);
  ASSERT_TRUE(run.ok()) << run.error();
  const CheckReport& report = run->report;
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_NE(report.errors[0].location.file.find("V3__broken.sql"), std::string::npos);
  EXPECT_EQ(report.statistics, "not reached (migration files did not parse)");
  EXPECT_TRUE(report.queries.empty());
  EXPECT_TRUE(report.migrations.empty());
  EXPECT_EQ(report.fail_on, "warning");
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].rule_id, "migration-require-lock-timeout");
  std::vector<std::string> ids;
  for (const RuleInfo& info : report.rules) ids.push_back(info.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"plan-buffers-regression", "plan-cost-regression", "plan-index-lost",
                                           "plan-join-strategy-changed", "plan-query-broken", "plan-query-refused",
                                           "plan-seq-scan-new", "plan-shape-changed", "plan-time-regression",
                                           "migration-require-lock-timeout"}));
  for (const RuleInfo& info : report.rules) {
    if (info.id.starts_with("plan-")) {
      EXPECT_EQ(info.input, RuleInput::kPlan) << info.id;
    }
  }
}

// The plan rules are selected as every command selects rules: the project
// settings' [rules] disable a rule and change a severity, in the report's
// rule list and on the findings of a real baseline/after pair.
TEST(RunCheck, PlanRulesFollowTheProjectSettings) {
  const std::string config = ::testing::TempDir() + "/check_plan_rules.pgsift.toml";
  std::ofstream(config) << "[rules]\ndisable = [\"plan-shape-changed\"]\n"
                           "[rules.plan-index-lost]\nseverity = \"info\"\n";
  CheckRequest r = Request("syntax_error");
  r.scratch.connect.dsn = "host=/nonexistent dbname=none";
  r.config_path = config;
  auto run = RunCheck(r);
  ASSERT_TRUE(run.ok()) << run.error();
  bool index_lost = false;
  for (const RuleInfo& info : run->report.rules) {
    EXPECT_NE(info.id, "plan-shape-changed");
    if (info.id == "plan-index-lost") {
      index_lost = true;
      EXPECT_EQ(info.severity, Severity::kInfo);
    }
  }
  EXPECT_TRUE(index_lost);

  auto settings = LoadProjectConfig(config);
  ASSERT_TRUE(settings.ok()) << settings.error();
  RuleSelection selection;
  selection.config = *settings;
  auto all = MakePlanRules();
  auto selected = SelectRules(all, selection);
  ASSERT_TRUE(selected.ok()) << selected.error();
  const std::string pair = Fixture("rules/plan-index-lost/err_drop_index/");
  auto before = ReadBaselineJson(ReadFileForTest(pair + "baseline.json"), "baseline.json");
  auto after = ReadBaselineJson(ReadFileForTest(pair + "after.json"), "after.json");
  ASSERT_TRUE(before.ok() && after.ok());
  ASSERT_FALSE(before->queries.empty());
  std::vector<Finding> found;
  for (const BaselineEntry& b : before->queries) {
    for (const BaselineEntry& a : after->queries) {
      if (a.name == b.name) ComparePlans(b, a, CheckThresholds{}, selected->active, selected->severities, &found);
    }
  }
  bool saw_index_lost = false;
  for (const Finding& f : found) {
    EXPECT_NE(f.rule_id, "plan-shape-changed");
    if (f.rule_id == "plan-index-lost") {
      saw_index_lost = true;
      EXPECT_EQ(f.severity, Severity::kInfo);
    }
  }
  EXPECT_TRUE(saw_index_lost);
}

}  // namespace
}  // namespace pgsift
