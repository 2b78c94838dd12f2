// Inputs that broke the readers added after the first fuzzing pass (plan
// JSON, baselines, schema DDL and schema JSON), replayed as plain tests; the
// raw inputs are in fixtures/fuzz/<target>/ and seed those fuzz targets too.
// Undefined behaviour (float-to-integer conversions out of range) only shows
// in the sanitizer build of these tests (ci/sanitize runs them).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include "pgsift/baseline.h"
#include "pgsift/indexes.h"
#include "pgsift/plan.h"
#include "test_util.h"

namespace pgsift {
namespace {

std::string Read(const std::string& rel) {
  std::ifstream in(testing::Fixture(rel), std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_FALSE(text.empty()) << rel;
  return text;
}

// baseline_reader_fuzz: "analyze", "generic_plan" and "parallel_aware" that
// are not booleans. nlohmann's value(key, false) throws on a type mismatch,
// and nothing caught it: `pgsift check` died on std::terminate.
TEST(FuzzRegressionsReaders, BaselineFlagsOfTheWrongTypeAreFalse) {
  auto b = ReadBaselineJson(Read("fuzz/baseline_reader_fuzz/wrong_types.json"), "wrong_types.json");
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_FALSE(b->analyze);
  ASSERT_EQ(b->queries.size(), 1u);
  EXPECT_FALSE(b->queries[0].generic_plan);
  EXPECT_FALSE(b->queries[0].plan.parallel_aware);
}

// baseline_reader_fuzz: numbers outside the fields' integer types (1e300,
// -5 for a count, 2^64-1) were converted with static_cast (undefined
// behaviour); they are clamped now.
TEST(FuzzRegressionsReaders, BaselineNumbersOutOfRangeAreClamped) {
  auto b = ReadBaselineJson(Read("fuzz/baseline_reader_fuzz/huge_numbers.json"), "huge_numbers.json");
  ASSERT_TRUE(b.ok()) << b.error();
  constexpr int kIntMax = std::numeric_limits<int>::max();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max(), kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(b->server_major, kIntMax);
  EXPECT_EQ(b->repeats, 0);
  EXPECT_EQ(b->relation_rows.at("public.t"), kMax);
  EXPECT_EQ(b->relation_rows.at("public.u"), kMin);
  EXPECT_EQ(b->relation_rows.at("public.v"), kMax);
  ASSERT_EQ(b->queries.size(), 1u);
  const BaselineEntry& e = b->queries[0];
  EXPECT_EQ(e.param_count, 0u);
  EXPECT_EQ(e.repeats, kIntMax);
  EXPECT_EQ(e.median_shared_blocks, kMax);
  EXPECT_EQ(e.temp_blocks, kMin);
  EXPECT_EQ(e.plan.workers_planned, kIntMax);
  EXPECT_EQ(e.plan.plan_width, kMin);
  // What was read writes and reads back to the same file.
  std::string written = WriteBaselineJson(*b);
  auto back = ReadBaselineJson(written, "again.json");
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(WriteBaselineJson(*back), written);
}

// plan_reader_fuzz: EXPLAIN counters given as floats out of int64's range.
TEST(FuzzRegressionsReaders, PlanCountersOutOfRangeAreZero) {
  auto p = ReadExplainJson(Read("fuzz/plan_reader_fuzz/huge_counts.json"));
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->root.node_type, "Seq Scan");
  EXPECT_EQ(p->root.plan_width, 0);
  EXPECT_EQ(p->root.workers_planned, 0);
  EXPECT_EQ(p->root.rows_removed_by_filter, 0);
  EXPECT_EQ(p->root.buffers.shared_hit, 0);
}

// schema_json_fuzz: {"schema": 1} made value("schema", "") throw outside the
// reader's try block (std::terminate); a float statistic was converted to
// int64 unchecked. Both are clear errors now.
TEST(FuzzRegressionsReaders, SchemaJsonOfTheWrongTypesIsAnError) {
  auto a = SchemaFromJson(Read("fuzz/schema_json_fuzz/format_not_string.json"), "format_not_string.json");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().find("format_not_string.json: not a pgsift schema JSON"), std::string::npos) << a.error();
  auto b = SchemaFromJson(Read("fuzz/schema_json_fuzz/float_statistic.json"), "float_statistic.json");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().find("float_statistic.json: a statistic is not an integer"), std::string::npos) << b.error();
}

// schema_sql_fuzz: ALTER TABLE ... ADD UNIQUE USING INDEX names no key
// columns, and the default constraint name took keys.front() of an empty
// list. The index now becomes unique (or the primary key) under the
// constraint's name, keeping its columns, as PostgreSQL does.
TEST(FuzzRegressionsReaders, ConstraintUsingIndexAdoptsTheIndex) {
  Schema schema;
  Status s = ApplySchemaSql(Read("fuzz/schema_sql_fuzz/unique_using_index.sql"), "unique_using_index.sql", &schema);
  ASSERT_TRUE(s.ok()) << s.error();
  const SchemaTable* t = schema.Find("public", "t");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->indexes.size(), 2u);
  for (const SchemaIndex& i : t->indexes) {
    if (i.name == "t_code_idx") {
      EXPECT_TRUE(i.unique);
      EXPECT_FALSE(i.primary);
      EXPECT_EQ(i.columns, std::vector<std::string>{"code"});
    } else {
      EXPECT_EQ(i.name, "t_pk");
      EXPECT_TRUE(i.primary);
      EXPECT_EQ(i.columns, std::vector<std::string>{"id"});
    }
  }
}

}  // namespace
}  // namespace pgsift
