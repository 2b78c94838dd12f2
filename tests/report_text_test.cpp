#include "report/report_text.h"

#include <gtest/gtest.h>

namespace pgsift::report_text {
namespace {

TEST(ReportText, MarkupEscapeIsSafeInHtmlAndXml) {
  EXPECT_EQ(MarkupEscape(R"(<a href="x">Tom & Jerry's</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  const std::string controls =
      "a\tb\nc\rd\x01"
      "e\x1f"
      "f";
  EXPECT_EQ(MarkupEscape(controls), "a\tb\nc\rd e f");
  EXPECT_EQ(MarkupEscape("plain \xc3\xa9"), "plain \xc3\xa9");  // UTF-8 kept
}

TEST(ReportText, OneLineAndMarkdownCells) {
  EXPECT_EQ(OneLine("  SELECT a,\n\t b  FROM t\r\n", 100), "SELECT a, b FROM t");
  EXPECT_EQ(OneLine("SELECT 1234567890", 10), "SELECT ...");
  EXPECT_EQ(MarkdownCode("a | b"), "`a \\| b`");
  EXPECT_EQ(MarkdownCode("say `hi`"), "`` say `hi` ``");
  EXPECT_EQ(Percent(0.1234), "12.3%");
  EXPECT_EQ(Percent(-1), "n/a");
}

}  // namespace
}  // namespace pgsift::report_text
