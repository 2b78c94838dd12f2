// The session-burst rules on the real PostgreSQL 15 captures in
// fixtures/rules/ (fixtures/rules/make_n_plus_one.sh): the three log formats
// of one run give the same findings, and no planted value ever reaches an
// output of `pgsift analyze`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "pgsift/rule.h"
#include "test_util.h"

namespace pgsift {
namespace {

std::string Render(const std::string& rule_id, const std::string& path) {
  auto rule = MakeRule(rule_id);
  EXPECT_TRUE(rule != nullptr);
  if (!rule) return "";
  EXPECT_TRUE(rule->Configure(RuleOptions{}).ok());
  auto findings = RunRuleOnFixture(*rule, path);
  EXPECT_TRUE(findings.ok()) << findings.error();
  if (!findings.ok()) return "";
  // The log line of the example differs between formats (csv/json records
  // take fewer lines); everything else must not.
  for (Finding& f : *findings) {
    std::erase_if(f.facts, [](const auto& fact) { return fact.first == "example at"; });
  }
  return RenderFindingsText(*findings);
}

TEST(NPlusOne, StderrCsvAndJsonOfOneRunGiveTheSameFindings) {
  struct Case {
    const char* rule;
    const char* stem;
  };
  for (Case c : {Case{"workload-n-plus-one", "err_simple"}, Case{"workload-n-plus-one", "err_extended"},
                 Case{"workload-n-plus-one", "err_pairs"}, Case{"workload-n-plus-one", "ok_healthy"},
                 Case{"workload-repeated-identical-query", "err_repeated"}}) {
    SCOPED_TRACE(c.stem);
    std::string dir = testing::Fixture(std::string("rules/") + c.rule + "/" + c.stem);
    std::string stderr_text = Render(c.rule, dir + "_stderr.log");
    EXPECT_EQ(stderr_text, Render(c.rule, dir + "_csv.csv"));
    EXPECT_EQ(stderr_text, Render(c.rule, dir + "_json.json"));
    EXPECT_EQ(stderr_text.empty(), std::string(c.stem).rfind("ok_", 0) == 0);
  }
}

TEST(NPlusOne, TheIdenticalRepeatIsTheOtherRulesAndViceVersa) {
  EXPECT_EQ(Render("workload-n-plus-one", testing::Fixture("rules/workload-n-plus-one/ok_repeated_stderr.log")), "");
  std::string repeated = Render("workload-repeated-identical-query",
                                testing::Fixture("rules/workload-repeated-identical-query/err_repeated_stderr.log"));
  EXPECT_NE(repeated.find("SELECT value FROM settings WHERE key = $1"), std::string::npos);
  EXPECT_EQ(Render("workload-repeated-identical-query",
                   testing::Fixture("rules/workload-repeated-identical-query/ok_n_plus_one_csv.csv")),
            "");
}

TEST(NPlusOne, MinBurstOptionChangesWhatCounts) {
  auto rule = MakeRule("workload-n-plus-one");
  RuleOptions o;
  o.Set("min_burst", "10");  // the simple scenario's bursts have 9 lookups
  ASSERT_TRUE(rule->Configure(o).ok());
  auto findings = RunRuleOnFixture(*rule, testing::Fixture("rules/workload-n-plus-one/err_simple_stderr.log"));
  ASSERT_TRUE(findings.ok());
  EXPECT_TRUE(findings->empty()) << RenderFindingsText(*findings);
}

std::string RunPgsift(const std::string& args, int* exit_code = nullptr) {
  std::string cmd = std::string(PGSIFT_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "";
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  if (exit_code != nullptr) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

TEST(NPlusOne, BadOptionsAreUsageErrorsNamingTheOption) {
  std::string input = testing::Fixture("rules/workload-n-plus-one/err_simple_stderr.log");
  int code = 0;
  std::string out = RunPgsift("analyze -q --set workload-n-plus-one.min_burst=abc " + input, &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("workload-n-plus-one: option min_burst = \"abc\": expected an integer"), std::string::npos) << out;
  out = RunPgsift("analyze -q --set workload-repeated-identical-query.gap=3 " + input, &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("unknown option gap"), std::string::npos) << out;
  out = RunPgsift("analyze --set workload-n-plus-one.min_burst=10 " + input, &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(out.find("[workload-n-plus-one]"), std::string::npos) << "no burst has 10 lookups:\n" << out;
}

// Canaries planted by make_n_plus_one.sh in literals, bind parameters and
// sqlcommenter tags (an unknown key and traceparent).
const std::array<const char*, 4> kCanaries = {"987654321", "CANARY-Zoe-Quux", "CANARY-8d1f", "4bf92f3577b34da6"};

TEST(NPlusOne, NoPlantedValueReachesTheTerminalOrTheJsonReport) {
  std::string json_path = ::testing::TempDir() + "/n_plus_one_canary.json";
  int checked = 0;
  for (const char* f :
       {"workload-n-plus-one/err_simple_stderr.log", "workload-n-plus-one/err_simple_csv.csv",
        "workload-n-plus-one/err_simple_json.json", "workload-n-plus-one/err_extended_stderr.log",
        "workload-n-plus-one/err_extended_json.json", "workload-n-plus-one/err_nosession_stderr.log",
        "workload-n-plus-one/err_pidonly_stderr.log", "workload-repeated-identical-query/err_repeated_stderr.log"}) {
    SCOPED_TRACE(f);
    std::string input = testing::Fixture(std::string("rules/") + f);
    // The inputs do hold the canaries: otherwise this test proves nothing.
    std::ifstream in(input);
    std::stringstream raw;
    raw << in.rdbuf();
    int planted = 0;
    for (const char* canary : kCanaries) planted += raw.str().find(canary) != std::string::npos;
    EXPECT_GT(planted, 0);
    std::string terminal = RunPgsift("analyze --json " + json_path + " " + input);
    ASSERT_NE(terminal.find("Findings ("), std::string::npos) << terminal;
    auto json = nlohmann::json::parse(std::ifstream(json_path));
    ASSERT_TRUE(json.contains("findings"));
    ASSERT_FALSE(json["findings"].empty());
    std::string findings = json.dump();  // the whole report, queries' normalized texts included
    for (const char* canary : kCanaries) {
      EXPECT_EQ(terminal.find(canary), std::string::npos) << canary << " in\n" << terminal;
      EXPECT_EQ(findings.find(canary), std::string::npos) << canary << " in\n" << findings;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 8);
}

}  // namespace
}  // namespace pgsift
