// The shared helpers that replaced per-file copies (issue 17): Trim in
// pgsift/text.h, the parse-tree accessors of sql/parse_tree.h and ReadInput.
#include "pgsift/text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pgsift/input.h"
#include "pgsift/parse_tree.h"

namespace pgsift {
namespace {

TEST(Trim, DefaultIsCLocaleWhiteSpace) {
  EXPECT_EQ(Trim(" \t\n\v\f\rSELECT 1 \r\n"), "SELECT 1");
  EXPECT_EQ(Trim(" \t "), "");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim("a b"), "a b");
}

TEST(Trim, OnlyTheGivenCharacters) {
  EXPECT_EQ(Trim("  app name\t ", " "), "app name\t");
  EXPECT_EQ(TrimLeft("\r\t x \r", " \t"), "\r\t x \r");
  EXPECT_EQ(TrimRight(TrimLeft("\t x \t\r", " \t"), " \t\r"), "x");
  EXPECT_EQ(TrimRight("x;\n", ";\n"), "x");
  EXPECT_EQ(TrimLeft("xx", "x"), "");
}

TEST(ParseTreeAccessors, NeverThrow) {
  auto node = nlohmann::json::parse(
      R"({"relname": "visits", "inh": true, "n": 3, "names": [{"String": {"sval": "int4"}}, {"Integer": {}}]})");
  EXPECT_EQ(sql::Str(node, "relname"), "visits");
  EXPECT_EQ(sql::Str(node, "n"), "");
  EXPECT_EQ(sql::Str(node, "missing"), "");
  EXPECT_TRUE(sql::Bool(node, "inh"));
  EXPECT_FALSE(sql::Bool(node, "relname"));
  EXPECT_TRUE(sql::Member(node, "missing").is_null());
  EXPECT_TRUE(sql::Member(nlohmann::json::array(), "relname").is_null());
  EXPECT_TRUE(sql::Member(nlohmann::json("text"), "relname").is_null());
  EXPECT_EQ(&sql::Member(node, "names"), &node["names"]);
  EXPECT_EQ(sql::Sval(node["names"][0]), "int4");
  EXPECT_EQ(sql::Sval(node["names"][1]), "");
  int items = 0;
  for (const auto& item : sql::Member(node, "missing")) items += item.is_null() ? 1 : 2;
  EXPECT_EQ(items, 0);
}

TEST(ReadInput, ReadsAWholeCompressedFile) {
  auto text = ReadInput(std::string(PGSIFT_FIXTURES) + "/pgss/a.json.gz");
  ASSERT_TRUE(text.ok()) << text.error();
  EXPECT_EQ(text->front(), '{');
  EXPECT_NE(text->find("\"schema\""), std::string::npos);
}

TEST(ReadInput, AnErrorNamesThePath) {
  auto text = ReadInput("/nonexistent/pgsift-snapshot.json.gz");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().rfind("/nonexistent/pgsift-snapshot.json.gz: ", 0), 0u) << text.error();
}

}  // namespace
}  // namespace pgsift
