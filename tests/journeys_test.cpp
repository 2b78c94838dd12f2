// Journeys: the [journeys] table, sqlcommenter tags, SLO arithmetic, and the
// report section over the real clinic logs.
#include "pgsift/journeys.h"

#include <gtest/gtest.h>

#include <fstream>

#include "pgsift/analyze.h"
#include "pgsift/report.h"
#include "pgsift/sqlcommenter.h"
#include "test_util.h"

namespace pgsift {
namespace {

using testing::Fixture;

TEST(Journeys, ParsesTheTable) {
  auto j = ParseJourneys(R"(
[journeys.billing]
application_name = "billing-web"
tag = ["route=/billing", "controller=invoices"]
p95_ms = 300
objective = 0.99
[journeys.reception]
application_name = ["a", "b"]
p95_ms = 250.5
[other]
x = 1
)",
                         "t.toml");
  ASSERT_TRUE(j.ok()) << j.error();
  ASSERT_EQ(j->size(), 2u);
  EXPECT_EQ((*j)[0].name, "billing");
  EXPECT_EQ((*j)[0].tags.size(), 2u);
  EXPECT_EQ((*j)[0].tags[0].first, "route");
  EXPECT_EQ((*j)[0].tags[0].second, "/billing");
  EXPECT_DOUBLE_EQ((*j)[0].objective, 0.99);
  EXPECT_EQ((*j)[1].applications, (std::vector<std::string>{"a", "b"}));
  EXPECT_DOUBLE_EQ((*j)[1].target_ms, 250.5);
  EXPECT_DOUBLE_EQ((*j)[1].objective, 0.95);
  auto none = ParseJourneys("[other]\nx = 1\n", "t.toml");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(Journeys, ErrorsNameFileLineAndKey) {
  auto e = ParseJourneys("[journeys.x]\napplication_name = \"a\"\np95_ms = -1\n", "c.toml");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error(), "c.toml:3: journeys.x.p95_ms: expected a positive number of milliseconds");
  e = ParseJourneys("[journeys.x]\np95_ms = 3\n", "c.toml");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error(), "c.toml:1: journeys.x: needs application_name or tag to match statements");
  e = ParseJourneys("[journeys.x]\napplication_name = \"a\"\np95 = 3\n", "c.toml");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error(), "c.toml:3: journeys.x.p95: unknown key (application_name, tag, p95_ms, objective)");
  e = ParseJourneys("[journeys.x]\napplication_name = \"a\"\ntag = \"noequals\"\np95_ms = 3\n", "c.toml");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error(), "c.toml:3: journeys.x.tag: expected key=value");
  e = ParseJourneys("[journeys.x\n", "c.toml");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().rfind("c.toml:1: ", 0), 0u) << e.error();
  EXPECT_FALSE(LoadJourneys("/nonexistent/.pgsift.toml").ok());
}

TEST(Journeys, SqlcommenterTags) {
  auto tags = ParseCommentTags("/*controller='invoices',route='%2Fbilling%2Fpay',traceparent='00-ab-cd-01'*/");
  ASSERT_EQ(tags.size(), 3u);
  EXPECT_EQ(tags[0].key, "controller");
  EXPECT_EQ(tags[0].value, "invoices");
  EXPECT_EQ(UrlDecode(tags[1].value), "/billing/pay");
  // The comment as a StatementRun holds it (EdgeComment: no /* */), and
  // marginalia's key:value form.
  auto bare = ParseCommentTags("controller:invoices,action:show");
  ASSERT_EQ(bare.size(), 2u);
  EXPECT_EQ(bare[1].key, "action");
  EXPECT_EQ(bare[1].value, "show");
  EXPECT_TRUE(ParseCommentTags("no comment").empty());
}

// A journey defined by a tag matches the statements of a real log that carry
// it: the tracker reads the comment as the workload stores it (without its
// /* */). Expected: every logged duration with that tag in the file.
TEST(Journeys, TagMatchesTheCommentsOfARealLog) {
  const std::string path = Fixture("rules/workload-n-plus-one/err_simple_stderr.log");
  std::ifstream in(path);
  uint64_t tagged = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.find("duration:") != std::string::npos && line.find("controller='schedule'") != std::string::npos) {
      ++tagged;
    }
  }
  ASSERT_GT(tagged, 0u);
  JourneySpec spec;
  spec.name = "schedule";
  spec.tags = {{"controller", "schedule"}};
  spec.target_ms = 1000;
  JourneyTracker tracker({spec});
  AnalyzeOptions options;
  options.inputs = {path};
  options.statements = &tracker;
  auto logs = Analyze(options);
  ASSERT_TRUE(logs.ok()) << logs.error();
  auto r = tracker.Results();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].calls, tagged);
}

TEST(Journeys, TrackerCountsBudget) {
  JourneySpec spec;
  spec.name = "billing";
  spec.tags = {{"route", "/billing"}};
  spec.applications = {"billing-web"};
  spec.target_ms = 100;
  JourneyTracker tracker({spec});
  StatementRun run;
  run.application = "billing-web";
  for (int i = 1; i <= 100; ++i) {
    run.duration_ms = i * 1.5;  // 1.5 .. 150 ms: 34 over 100 ms (i = 67..100)
    tracker.OnStatement(run);
  }
  run.application = "other";
  run.comment = "/*route='%2Fbilling'*/";
  run.duration_ms = 500;
  tracker.OnStatement(run);  // matched by tag
  run.comment = "/*route='%2Freception'*/";
  tracker.OnStatement(run);  // not this journey
  run.duration_ms = -1;
  run.comment = "/*route='%2Fbilling'*/";
  tracker.OnStatement(run);  // no duration logged: not counted
  auto r = tracker.Results();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].calls, 101u);
  EXPECT_EQ(r[0].over, 35u);  // and the 500 ms one matched by tag
  EXPECT_NEAR(r[0].budget_burned(), 35 / (101 * 0.05), 1e-9);
  EXPECT_NEAR(r[0].p95_ms, 142.5, 142.5 * 0.02);
  EXPECT_EQ(JourneyStatus(r[0]), "missed");
}

TEST(Journeys, ReportSectionOnRealLogs) {
  auto specs = LoadJourneys(Fixture("pgss/journeys.toml"));
  ASSERT_TRUE(specs.ok()) << specs.error();
  JourneyTracker tracker(*specs);
  AnalyzeOptions options;
  options.inputs = {Fixture("logs/clinic.stderr.log")};
  options.statements = &tracker;
  auto logs = Analyze(options);
  ASSERT_TRUE(logs.ok()) << logs.error();
  auto a = ReadSnapshot(Fixture("pgss/a.json.gz"));
  auto b = ReadSnapshot(Fixture("pgss/b.json.gz"));
  ASSERT_TRUE(a.ok() && b.ok());
  Report r = BuildReport(*a, *b, nullptr, &*logs, 0, ReportOptions{});
  r.journeys_configured = true;
  r.journeys = tracker.Results();
  ASSERT_EQ(r.journeys.size(), 4u);
  uint64_t matched = 0;
  for (const auto& j : r.journeys) matched += j.calls;
  EXPECT_GT(matched, 100u);
  std::string md = RenderReportMarkdown(r);
  std::string expected_path = Fixture("pgss/report_a_b_logs.md");
  if (std::getenv("PGSIFT_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(expected_path, std::ios::binary) << md;
  } else {
    std::ifstream in(expected_path, std::ios::binary);
    std::string expected((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(md, expected);
  }
}

}  // namespace
}  // namespace pgsift
