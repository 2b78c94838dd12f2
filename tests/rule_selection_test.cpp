// RuleSelection (pgsift/config.h): the one resolution of .pgsift.toml's
// [rules] tables and the command line that lint, indexes, analyze and report
// share, and the commands' engine entry points that use it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pgsift/config.h"
#include "pgsift/indexes.h"
#include "pgsift/migration.h"
#include "pgsift/pgss_rules.h"
#include "pgsift/workload_rules.h"

namespace pgsift {
namespace {

RuleSelection FromToml(const std::string& text) {
  RuleSelection selection;
  auto config = ParseConfig(text, "p.toml");
  EXPECT_TRUE(config.ok()) << config.error();
  if (config.ok()) selection.config = std::move(*config);
  return selection;
}

std::vector<std::string> Ids(const std::vector<Finding>& findings) {
  std::vector<std::string> ids;
  for (const Finding& f : findings) ids.push_back(f.rule_id);
  return ids;
}

TEST(RuleSelection, EnabledInOrderConfigThenCommandLine) {
  RuleSelection s = FromToml(
      "[rules]\nenable = [\"migration-ban-char-field\", \"migration-prefer-text-field\"]\n"
      "disable = [\"migration-prefer-text-field\"]\n"
      "[rules.migration-renaming-table]\nenabled = true\n");
  // [rules] enable narrows, [rules] disable removes, [rules.<id>] enabled wins over both.
  EXPECT_TRUE(ChooseRule("migration-ban-char-field", s).enabled);
  EXPECT_FALSE(ChooseRule("migration-prefer-text-field", s).enabled);
  EXPECT_FALSE(ChooseRule("migration-ban-drop-table", s).enabled);
  EXPECT_TRUE(ChooseRule("migration-renaming-table", s).enabled);
  // The command line's enable, then its disable, over the file.
  RuleFlags flags;
  flags.enable = {"prefer-text-field", "ban-drop-table"};  // squawk names
  flags.disable = {"ban-drop-table", "migration-renaming-table"};
  ASSERT_TRUE(AddRuleFlags(flags, &s).ok());
  EXPECT_TRUE(ChooseRule("migration-prefer-text-field", s).enabled);
  EXPECT_FALSE(ChooseRule("migration-ban-drop-table", s).enabled);
  EXPECT_FALSE(ChooseRule("migration-renaming-table", s).enabled);
  // No file, no flags: every rule runs.
  EXPECT_TRUE(ChooseRule("index-missing", RuleSelection{}).enabled);
}

// An enable list narrows only the categories it names: the migration rules a
// project enables for lint must not switch off check's plan rules (check
// would then never find a regression) or analyze's workload rules.
TEST(RuleSelection, EnableNarrowsOnlyTheCategoriesItNames) {
  RuleSelection s;
  auto config = ParseConfig("[rules]\nenable = [\"migration-ban-char-field\"]\n", "lint.toml");
  ASSERT_TRUE(config.ok()) << config.error();
  s.config = *config;
  EXPECT_TRUE(ChooseRule("migration-ban-char-field", s).enabled);
  EXPECT_FALSE(ChooseRule("migration-ban-drop-table", s).enabled);
  EXPECT_TRUE(ChooseRule("plan-index-lost", s).enabled);
  EXPECT_TRUE(ChooseRule("workload-n-plus-one", s).enabled);
  EXPECT_TRUE(ChooseRule("index-missing", s).enabled);
}

TEST(RuleSelection, CommandLineOptionsOverTheFileAndSeverity) {
  RuleSelection s = FromToml("[rules.workload-n-plus-one]\nmin_burst = 4\nmax_gap_ms = 100\nseverity = \"error\"\n");
  RuleFlags flags;
  flags.sets = {"workload-n-plus-one.min_burst=9"};
  ASSERT_TRUE(AddRuleFlags(flags, &s).ok());
  RuleChoice c = ChooseRule("workload-n-plus-one", s);
  EXPECT_EQ(c.options.GetString("min_burst", ""), "9");
  EXPECT_EQ(c.options.GetString("max_gap_ms", ""), "100");
  EXPECT_EQ(c.severity, Severity::kError);
  EXPECT_FALSE(ChooseRule("workload-repeated-identical-query", s).severity.has_value());
}

TEST(RuleSelection, FlagErrorsNameTheFlag) {
  RuleSelection s;
  RuleFlags flags;
  flags.sets = {"workload-n-plus-one.min_burst"};
  EXPECT_EQ(AddRuleFlags(flags, &s).error(), "--set workload-n-plus-one.min_burst: expected RULE.KEY=VALUE");
  flags.sets = {"nope.k=1"};
  EXPECT_EQ(AddRuleFlags(flags, &s).error(), "--set nope.k=1: unknown rule");
  flags.sets.clear();
  flags.disable = {"nope"};
  EXPECT_EQ(AddRuleFlags(flags, &s).error(), "--disable nope: unknown rule");
  flags.flag_in_errors = false;  // lint's wording
  EXPECT_EQ(AddRuleFlags(flags, &s).error(), "unknown rule nope");
  flags.disable.clear();
  flags.enable = {"nope"};
  EXPECT_EQ(AddRuleFlags(flags, &s).error(), "unknown rule nope");
}

TEST(RuleSelection, SelectRulesConfiguresAndReportsTheBadOption) {
  auto rules = MakeWorkloadRules();
  RuleSelection s = FromToml("[rules.workload-n-plus-one]\nmin_burst = \"abc\"\n");
  auto selected = SelectRules(rules, s);
  ASSERT_FALSE(selected.ok());
  EXPECT_EQ(selected.error(), "workload-n-plus-one: option min_burst = \"abc\": expected an integer");
  s.config_path_in_errors = true;
  EXPECT_EQ(SelectRules(rules, s).error(),
            "p.toml: workload-n-plus-one: option min_burst = \"abc\": expected an integer");
  // A disabled rule's options: checked by default, not read when the
  // command reads only the options of the rules it runs (lint).
  s.disable.insert("workload-n-plus-one");
  EXPECT_FALSE(SelectRules(rules, s).ok());
  s.configure_disabled = false;
  selected = SelectRules(rules, s);
  ASSERT_TRUE(selected.ok()) << selected.error();
  for (const WorkloadRule* r : selected->active) EXPECT_NE(r->Info().id, "workload-n-plus-one");
  EXPECT_EQ(selected->active.size() + 1, rules.size());
}

TEST(RuleSelection, SelectedInfosCarryTheConfiguredSeverity) {
  auto rules = MakePgssRules();
  ASSERT_FALSE(rules.empty());
  const std::string id = rules.front()->Info().id;
  RuleSelection s = FromToml("[rules." + id + "]\nseverity = \"error\"\n");
  auto selected = SelectRules(rules, s);
  ASSERT_TRUE(selected.ok()) << selected.error();
  ASSERT_EQ(selected->infos.size(), rules.size());
  EXPECT_EQ(selected->infos.front().severity, Severity::kError);
  ASSERT_EQ(selected->severities.count(id), 1u);
  EXPECT_EQ(selected->severities.at(id).rule, rules.front()->Info().severity);
}

TEST(RuleSelection, ConfiguredSeverityKeepsALoweredFinding) {
  std::map<std::string, SeverityOverride> severities{{"index-missing", {Severity::kWarning, Severity::kError}}};
  std::vector<Finding> findings(3);
  findings[0].rule_id = "index-missing";
  findings[0].severity = Severity::kWarning;
  findings[1].rule_id = "index-missing";
  findings[1].severity = Severity::kInfo;  // lowered by the rule (weak evidence)
  findings[2].rule_id = "index-unused";
  findings[2].severity = Severity::kWarning;
  ApplySeverities(severities, &findings);
  EXPECT_EQ(findings[0].severity, Severity::kError);
  EXPECT_EQ(findings[1].severity, Severity::kInfo);
  EXPECT_EQ(findings[2].severity, Severity::kWarning);
}

// The same [rules] table selects the rules of `lint` and of `indexes`.
class ProjectConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pgsift_rule_selection_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  std::filesystem::path dir_;
};

TEST_F(ProjectConfig, LintAndIndexesReadOneRulesTable) {
  const std::string fixtures = PGSIFT_FIXTURES;
  const std::string dup = fixtures + "/rules/index-duplicate/err_same.sql";
  const std::string chr = fixtures + "/rules/migration-ban-char-field";
  const std::string varchar = fixtures + "/rules/migration-prefer-text-field";
  std::string plain = Write("plain.toml", "[lint]\nfail_on = \"none\"\n");
  std::string config = Write("p.toml",
                             "[rules]\ndisable = [\"index-duplicate\", \"ban-char-field\"]\n"
                             "[rules.migration-prefer-text-field]\nseverity = \"error\"\n");

  IndexesRequest indexes;
  indexes.run.schema_paths = {dup};
  indexes.config_path = plain;
  auto before = RunIndexes(indexes);
  ASSERT_TRUE(before.ok()) << before.error();
  auto ids = Ids(before->result.findings);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "index-duplicate"), ids.end());
  indexes.config_path = config;
  auto after = RunIndexes(indexes);
  ASSERT_TRUE(after.ok()) << after.error();
  ids = Ids(after->result.findings);
  EXPECT_EQ(std::find(ids.begin(), ids.end(), "index-duplicate"), ids.end());

  LintRequest lint;
  lint.paths = {chr, varchar};
  lint.config_path = plain;
  auto linted = RunMigrationLint(lint);
  ASSERT_TRUE(linted.ok()) << linted.error();
  ids = Ids(linted->report.findings);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "migration-ban-char-field"), ids.end());
  lint.config_path = config;
  linted = RunMigrationLint(lint);
  ASSERT_TRUE(linted.ok()) << linted.error();
  ids = Ids(linted->report.findings);
  EXPECT_EQ(std::find(ids.begin(), ids.end(), "migration-ban-char-field"), ids.end());
  bool text_field = false;
  for (const Finding& f : linted->report.findings) {
    if (f.rule_id != "migration-prefer-text-field") continue;
    text_field = true;
    EXPECT_EQ(f.severity, Severity::kError);
  }
  EXPECT_TRUE(text_field);
  for (const RuleInfo& info : linted->report.rules) {
    EXPECT_NE(info.id, "migration-ban-char-field");
    if (info.id == "migration-prefer-text-field") {
      EXPECT_EQ(info.severity, Severity::kError);
    }
  }
}

TEST_F(ProjectConfig, ADisabledRulesOptionsAreCheckedByIndexesNotByLint) {
  const std::string fixtures = PGSIFT_FIXTURES;
  LintRequest lint;
  lint.paths = {fixtures + "/rules/migration-ban-char-field"};
  lint.config_path = Write("lint.toml", "[rules.migration-drops-used-index]\nmin_calls = \"abc\"\nenabled = false\n");
  auto linted = RunMigrationLint(lint);
  EXPECT_TRUE(linted.ok()) << linted.error();
  lint.config_path = Write("lint_on.toml", "[rules.migration-drops-used-index]\nmin_calls = \"abc\"\n");
  linted = RunMigrationLint(lint);
  ASSERT_FALSE(linted.ok());
  EXPECT_EQ(linted.error(), "migration-drops-used-index: option min_calls = \"abc\": expected an integer");

  IndexesRequest indexes;
  indexes.run.schema_paths = {fixtures + "/rules/index-duplicate/err_same.sql"};
  indexes.config_path = Write("indexes.toml", "[rules.index-missing]\nmin_saving = 3\nenabled = false\n");
  auto run = RunIndexes(indexes);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error(), indexes.config_path + ": index-missing: min_saving must be between 0 and 1");
}

TEST_F(ProjectConfig, IndexesMinSavingFromTheFileAndTheCommandLine) {
  const std::string dup = std::string(PGSIFT_FIXTURES) + "/rules/index-duplicate/err_same.sql";
  IndexesRequest indexes;
  indexes.run.schema_paths = {dup};
  indexes.config_path = Write("p.toml", "[rules.index-missing]\nmin_saving = 0.8\n");
  auto run = RunIndexes(indexes);
  ASSERT_TRUE(run.ok()) << run.error();
  EXPECT_DOUBLE_EQ(run->min_saving, 0.8);
  indexes.min_saving = 0.25;
  indexes.min_saving_given = true;
  run = RunIndexes(indexes);
  ASSERT_TRUE(run.ok()) << run.error();
  EXPECT_DOUBLE_EQ(run->min_saving, 0.25);
  indexes.min_saving_given = false;
  indexes.config_path = Write("bad.toml", "[rules.index-missing]\nmin_saving = \"x\"\n");
  run = RunIndexes(indexes);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error(), indexes.config_path + ": [rules.index-missing] option min_saving = \"x\": expected a number");
}

}  // namespace
}  // namespace pgsift
