// Representative bind values from logs: the DETAIL parser, and the pick over
// the real fixture logs (one PostgreSQL 15 run written as stderr, csvlog and
// jsonlog at once, so all three must give the same values and tag).
#include "pgsift/log_values.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "pgsift/fingerprint.h"
#include "test_util.h"

namespace pgsift {
namespace {

using Params = std::vector<std::string>;

TEST(ParseLogParameters, QuotedNullAndDoubledQuotes) {
  EXPECT_EQ(ParseLogParameters("$1 = '42'"), Params({"'42'"}));
  EXPECT_EQ(ParseLogParameters("$1 = 'O''Brien', $2 = NULL, $3 = 'a, b'"), Params({"'O''Brien'", "NULL", "'a, b'"}));
  EXPECT_EQ(ParseLogParameters("$1 = 'line\nbreak'"), Params({"'line\nbreak'"}));
  EXPECT_EQ(ParseLogParameters("$1 = ''"), Params({"''"}));
}

TEST(ParseLogParameters, RejectsMalformedAndCutValues) {
  EXPECT_FALSE(ParseLogParameters(""));
  EXPECT_FALSE(ParseLogParameters("$1 = 'unterminated"));
  EXPECT_FALSE(ParseLogParameters("$2 = '1'"));            // not starting at $1
  EXPECT_FALSE(ParseLogParameters("$1 = '1', $3 = '2'"));  // a gap
  EXPECT_FALSE(ParseLogParameters("$1 = 42"));             // PostgreSQL always quotes
  EXPECT_FALSE(ParseLogParameters("$1 = '1' $2 = '2'"));
  // log_parameter_max_length cut the value: planning with it would mislead.
  EXPECT_FALSE(ParseLogParameters("$1 = 'abcdefgh...'"));
}

using testing::Slurp;

TEST(CollectLogValues, SameValuesFromEveryFormatOfOneRun) {
  const std::string dir = std::string(PGSIFT_FIXTURES) + "/logs/";
  const std::string sql = "SELECT id, name, birth_date FROM patients WHERE id = $1";
  Fingerprinter fp;
  uint64_t wanted = fp.Fingerprint(sql).fingerprint;
  uint64_t absent = fp.Fingerprint("SELECT 1 FROM no_such_table WHERE x = $1").fingerprint;
  std::vector<LogValues> picks;
  for (const char* name : {"clinic.stderr.log", "clinic.csv", "clinic.json"}) {
    LogValuesOptions options;
    options.paths = {dir + name};
    auto got = CollectLogValues(options, {wanted, absent});
    ASSERT_TRUE(got.ok()) << got.error();
    EXPECT_EQ(got->count(absent), 0u) << name;
    ASSERT_EQ(got->count(wanted), 1u) << name;
    picks.push_back(got->at(wanted));
  }
  const LogValues& v = picks[0];
  ASSERT_EQ(v.params.size(), 1u);
  EXPECT_EQ(v.tag.size(), 16u);
  EXPECT_GT(v.executions, 1u);
  // The picked value is one the log shows for an execution of that statement.
  std::string log = Slurp(dir + "clinic.stderr.log");
  EXPECT_NE(log.find("parameters: $1 = " + v.params[0]), std::string::npos) << v.params[0];
  for (const LogValues& other : picks) {
    EXPECT_EQ(other.params, v.params);
    EXPECT_EQ(other.tag, v.tag);
    EXPECT_EQ(other.executions, v.executions);
  }
}

// A log still being written (here the real fixture cut within its first
// line) is sampled for prefix inference as analyze samples it: its partial
// first line counts, so it reads like analyze reads it instead of failing.
TEST(CollectLogValues, LogWithoutAWholeLineInfersItsPrefixAsAnalyze) {
  std::string log = Slurp(std::string(PGSIFT_FIXTURES) + "/logs/clinic.stderr.log");
  const std::string path = ::testing::TempDir() + "/log_values_partial_line.log";
  std::ofstream(path, std::ios::binary) << log.substr(0, log.find('\n'));
  LogValuesOptions options;
  options.paths = {path};
  auto got = CollectLogValues(options, {1});
  std::remove(path.c_str());
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_TRUE(got->empty());
}

TEST(CollectLogValues, UnreadableLogIsAnError) {
  LogValuesOptions options;
  options.paths = {"/nonexistent/pg.log"};
  auto got = CollectLogValues(options, {1});
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().find("/nonexistent/pg.log"), std::string::npos) << got.error();
}

}  // namespace
}  // namespace pgsift
