// RunCheck (engine/check.cpp) up to the scratch database: the order of its
// errors, the lint hook, and a migration that does not parse stopping
// before any server is contacted. The scratch runs are the live tests
// (tests/integration/baseline_check_live.sh and others).
#include "pgsift/check.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace pgsift
