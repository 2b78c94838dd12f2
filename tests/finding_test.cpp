#include "pgsift/finding.h"

#include <gtest/gtest.h>

#include "pgsift/rule.h"

namespace {

TEST(Finding, SortIsDeterministicAndRenderIsStable) {
  pgsift::FindingList list;
  pgsift::Finding b;
  b.rule_id = "migration-b";
  b.severity = pgsift::Severity::kError;
  b.message = "second";
  b.location = {"m.sql", 9, 1};
  b.snippet = "CREATE INDEX i ON t (a);";
  b.help = "use CONCURRENTLY\noutside a transaction";
  pgsift::Finding a = b;
  a.rule_id = "migration-a";
  a.location.line = 2;
  a.message = "first";
  a.facts = {{"table", "t"}};
  list.Report(b);
  list.Report(a);
  auto sorted = list.Sorted();
  ASSERT_EQ(sorted.size(), 2u);
  EXPECT_EQ(sorted[0].rule_id, "migration-a");
  EXPECT_EQ(pgsift::RenderFindingsText({sorted[0]}),
            "m.sql:2:1: error[migration-a] first\n"
            "  | CREATE INDEX i ON t (a);\n"
            "  table: t\n"
            "  help: use CONCURRENTLY\n"
            "        outside a transaction\n");
}

TEST(Finding, KeyIgnoresLineAndDirectory) {
  pgsift::Finding f;
  f.rule_id = "x";
  f.location = {"/a/b/m.sql", 3, 1};
  f.key_extra = "t";
  pgsift::Finding g = f;
  g.location = {"c/m.sql", 30, 5};
  EXPECT_EQ(f.Key(), g.Key());
  g.key_extra = "u";
  EXPECT_NE(f.Key(), g.Key());
}

TEST(RuleOptions, ParsesAndRejects) {
  pgsift::RuleOptions o;
  o.Set("min", "5");
  o.Set("gap_ms", "2.5");
  o.Set("on", "true");
  o.Set("bad", "5x");
  EXPECT_EQ(*o.GetInt("min", 1), 5);
  EXPECT_EQ(*o.GetInt("absent", 7), 7);
  EXPECT_DOUBLE_EQ(*o.GetDouble("gap_ms", 0), 2.5);
  EXPECT_TRUE(*o.GetBool("on", false));
  EXPECT_FALSE(o.GetInt("bad", 0).ok());
  EXPECT_NE(o.GetInt("bad", 0).error().find("bad"), std::string::npos);
  EXPECT_EQ(pgsift::ParseSeverity("error"), pgsift::Severity::kError);
  EXPECT_FALSE(pgsift::ParseSeverity("fatal").has_value());
}

}  // namespace

// Text from a log or a migration (a quoted identifier) with ESC, BEL or a
// newline neither drives the terminal nor fakes a line of its own.
TEST(Finding, TextOutputEscapesControlCharacters) {
  pgsift::Finding f;
  f.rule_id = "workload-n-plus-one";
  f.message = "N+1 on \"pat\x1b[2Jients\"";
  f.facts.push_back({"child", "SELECT * FROM \"x\nerror[migration-fake] ALL CLEAR\""});
  f.fix = "SELECT 1;\n\x07SELECT 2;";
  std::string out = pgsift::RenderFindingsText({f});
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find('\x07'), std::string::npos) << out;
  EXPECT_EQ(out.find("\nerror[migration-fake]"), std::string::npos) << out;
  EXPECT_NE(out.find("\\x1b[2J"), std::string::npos) << out;
  EXPECT_NE(out.find("\\x0aerror[migration-fake]"), std::string::npos) << out;
  EXPECT_EQ(pgsift::TerminalSafe("a\xc2\x9b" "b", false), "a\\x9bb");  // C1 CSI
  EXPECT_EQ(pgsift::TerminalSafe("caf\xc3\xa9\n", true), "caf\xc3\xa9\n");  // UTF-8 and newlines kept
  EXPECT_EQ(pgsift::TerminalSafe("SELECT 1;\r\nSELECT 2;", true), "SELECT 1;\nSELECT 2;");  // CRLF files
}
