// The one golden test over every rule: each registered rule has its doc and
// fixtures (ok_* give no finding, err_* give exactly their .expected
// rendering), and every fixture directory belongs to a registered rule.
// PGSIFT_UPDATE_GOLDEN=1 rewrites the .expected files (review the diff).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "pgsift/rule.h"

namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = PGSIFT_FIXTURES;
const fs::path kRoot = kFixtures.parent_path();

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool IsInput(const fs::path& p) {
  std::string name = p.filename().string();
  return (name.rfind("ok_", 0) == 0 || name.rfind("err_", 0) == 0) && p.extension() != ".expected";
}

TEST(RuleFixtures, EveryRuleHasDocAndFixtures) {
  std::set<std::string> ids;
  for (const auto& rule : pgsift::MakeAllRules()) {
    const pgsift::RuleInfo& info = rule->Info();
    SCOPED_TRACE(info.id);
    EXPECT_TRUE(ids.insert(info.id).second) << "duplicate rule id";
    for (const auto& alias : info.aliases) EXPECT_TRUE(ids.insert(alias).second) << "alias clash: " << alias;
    EXPECT_FALSE(info.summary.empty());
    ASSERT_FALSE(info.doc.empty());
    EXPECT_TRUE(fs::exists(kRoot / info.doc)) << info.doc;
    fs::path dir = kFixtures / "rules" / info.id;
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    int ok = 0, err = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (!IsInput(entry.path())) continue;
      (entry.path().filename().string().rfind("ok_", 0) == 0 ? ok : err)++;
    }
    EXPECT_GT(ok, 0) << "no ok_ fixture";
    EXPECT_GT(err, 0) << "no err_ fixture";
  }
}

TEST(RuleFixtures, NoFixtureSitsUnrun) {
  if (!fs::is_directory(kFixtures / "rules")) GTEST_SKIP() << "no rule fixtures yet";
  for (const auto& entry : fs::directory_iterator(kFixtures / "rules")) {
    if (!entry.is_directory()) continue;
    std::string id = entry.path().filename().string();
    auto rule = pgsift::MakeRule(id);
    EXPECT_TRUE(rule && rule->Info().id == id) << "fixtures for unregistered rule " << id;
  }
}

TEST(RuleFixtures, Golden) {
  const bool update = std::getenv("PGSIFT_UPDATE_GOLDEN") != nullptr;
  for (const auto& rule : pgsift::MakeAllRules()) {
    const std::string& id = rule->Info().id;
    fs::path dir = kFixtures / "rules" / id;
    if (!fs::is_directory(dir)) continue;
    ASSERT_TRUE(rule->Configure(pgsift::RuleOptions{}).ok()) << id;
    std::vector<fs::path> inputs;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (IsInput(entry.path())) inputs.push_back(entry.path());
    }
    std::sort(inputs.begin(), inputs.end());
    for (const fs::path& input : inputs) {
      SCOPED_TRACE(id + "/" + input.filename().string());
      auto result = pgsift::RunRuleOnFixture(*rule, input.string());
      ASSERT_TRUE(result.ok()) << result.error();
      std::vector<pgsift::Finding> findings = *result;
      for (auto& f : findings) {
        if (!f.location.file.empty()) f.location.file = fs::path(f.location.file).filename().string();
      }
      pgsift::SortFindings(&findings);
      for (const auto& f : findings) EXPECT_EQ(f.rule_id, id) << "a fixture run reported another rule";
      if (input.filename().string().rfind("ok_", 0) == 0) {
        EXPECT_TRUE(findings.empty()) << pgsift::RenderFindingsText(findings);
        continue;
      }
      EXPECT_FALSE(findings.empty()) << "err_ fixture gave no finding";
      fs::path expected = input;
      expected.replace_extension(".expected");
      std::string text = pgsift::RenderFindingsText(findings);
      if (update) {
        std::ofstream(expected, std::ios::binary) << text;
        continue;
      }
      ASSERT_TRUE(fs::exists(expected)) << expected;
      EXPECT_EQ(ReadFile(expected), text);
    }
  }
}

}  // namespace
