// Statements nested deeper than libpg_query's recursive tree walks can take
// (issue 16 §2): at 1k levels each construct is fingerprinted exactly by
// libpg_query; at 10k and 100k it must neither crash nor hang, and gets
// pgsift's fallback fingerprint with the reason counted. The inputs are SQL
// generated here, not logs. Without the parser-load check, the 10k and 100k
// cases of `+ 1`, `||`, UNION ALL and nested subqueries overflow the stack
// (SIGSEGV), and "/*/*/*..." makes libpg_query's scanner quadratic (100k
// levels took over 100 s; 300k would take about 15 minutes, past the ctest
// timeout).
#include <gtest/gtest.h>
#include <pthread.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "pgsift/fingerprint.h"
#include "pgsift/migration.h"
#include "pgsift/plan.h"
#include "pgsift/parse_tree.h"
#include "sql/pg_query_api.h"
#include "pgsift/shape_key.h"

namespace pgsift {
namespace {

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

struct Construct {
  const char* name;
  std::function<std::string(size_t)> make;
};

const std::vector<Construct>& Constructs() {
  static const std::vector<Construct> kAll = {
      {"plus_one", [](size_t n) { return "SELECT 1" + Repeat(" + 1", n); }},
      {"concat", [](size_t n) { return "SELECT 'a'" + Repeat(" || 'a'", n); }},
      {"union_all", [](size_t n) { return "SELECT 1" + Repeat(" UNION ALL SELECT 1", n); }},
      {"parentheses", [](size_t n) { return "SELECT " + Repeat("(", n) + "1" + Repeat(")", n); }},
      {"subqueries", [](size_t n) { return Repeat("SELECT (", n) + "SELECT 1" + Repeat(")", n); }},
      {"function_calls", [](size_t n) { return "SELECT " + Repeat("abs(", n) + "1" + Repeat(")", n); }},
      {"casts", [](size_t n) { return "SELECT 1" + Repeat("::int", n); }},
      {"not", [](size_t n) { return "SELECT " + Repeat("NOT ", n) + "true"; }},
  };
  return kAll;
}

// Each construct at each depth, through the Fingerprinter as analyze and
// `pgsift fingerprint` use it.
TEST(DeepStatements, EveryConstructAtEveryDepthIsAnsweredWithoutCrashing) {
  for (const Construct& c : Constructs()) {
    for (size_t depth : {1000, 10000, 100000}) {
      SCOPED_TRACE(std::string(c.name) + " at depth " + std::to_string(depth));
      std::string sql = c.make(depth);
      for (auto mode : {Fingerprinter::KeyMode::kShape, Fingerprinter::KeyMode::kLayout}) {
        Fingerprinter fp(mode);
        const Shape& s = fp.Fingerprint(sql);
        if (depth == 1000) {
          // Within the limit: libpg_query's own answer.
          ExactFingerprint exact = FingerprintWithLibpgQuery(sql);
          if (exact.ok) {
            EXPECT_FALSE(s.fallback) << s.parse_error;
            EXPECT_EQ(s.fingerprint, exact.fingerprint);
          }
          EXPECT_EQ(fp.stats().too_complex, 0u);
        } else {
          EXPECT_TRUE(s.fallback);
          EXPECT_EQ(fp.stats().too_complex, 1u);
          EXPECT_EQ(fp.stats().fallbacks, 1u);
          EXPECT_NE(s.parse_error.find("nested too deeply"), std::string::npos) << s.parse_error;
          // The same statement again: the same fallback shape, counted again.
          EXPECT_EQ(fp.Fingerprint(sql).fingerprint, s.fingerprint);
          EXPECT_EQ(fp.stats().too_complex, 2u);
        }
      }
    }
  }
}

TEST(DeepStatements, TheEstimateCoversEveryConstructAtOneThousand) {
  // The limit must leave room for these at 1k (what a server accepts), and
  // the estimate must grow with the depth of each.
  for (const Construct& c : Constructs()) {
    uint64_t at_1k = sql::EstimateParserLoad(c.make(1000)).depth;
    uint64_t at_10k = sql::EstimateParserLoad(c.make(10000)).depth;
    EXPECT_LE(at_1k, sql::kMaxParseDepth) << c.name;
    EXPECT_GE(at_1k, 1000u) << c.name;
    EXPECT_GT(at_10k, sql::kMaxParseDepth) << c.name;
  }
}

TEST(DeepStatements, LongFlatListsAreNotDeep) {
  // Generated statements that are long but flat keep their exact
  // fingerprint: IN lists, VALUES rows, OR/AND lists, CASE branches,
  // column lists.
  std::string in_list = "SELECT * FROM t WHERE id IN (1" + Repeat(", 1", 100000) + ")";
  std::string values = "INSERT INTO t VALUES (1, 'a')" + Repeat(", (1, 'a')", 20000);
  std::string ors = "SELECT * FROM t WHERE id = 1" + Repeat(" OR id = 1", 20000);
  std::string ands = "SELECT * FROM t WHERE a = 1" + Repeat(" AND b = 2 OR c = 3", 5000);
  std::string cases = "SELECT CASE x" + Repeat(" WHEN 1 THEN 'a'", 20000) + " END FROM t";
  std::string columns = "SELECT a + b + c" + Repeat(", a + b + c", 20000) + " FROM t";
  for (const std::string& sql : {in_list, values, ors, ands, cases, columns}) {
    SCOPED_TRACE(sql.substr(0, 60));
    EXPECT_LE(sql::EstimateParserLoad(sql).depth, 20u);
    Fingerprinter fp;
    const Shape& s = fp.Fingerprint(sql);
    EXPECT_FALSE(s.fallback) << s.parse_error;
    EXPECT_EQ(s.fingerprint, FingerprintWithLibpgQuery(sql).fingerprint);
  }
}

TEST(DeepStatements, JoinAndSetOperationChainsCountAcrossCommas) {
  // Left-deep chains whose operands hold commas: the commas must not hide
  // the chain.
  std::string unions = "SELECT 1, 2" + Repeat(" UNION ALL SELECT 1, 2", 10000);
  std::string joins = "SELECT a, b FROM t0" + Repeat(" JOIN t USING (a, b)", 10000);
  for (const std::string& sql : {unions, joins}) {
    EXPECT_GT(sql::EstimateParserLoad(sql).depth, 10000u);
    Fingerprinter fp;
    EXPECT_TRUE(fp.Fingerprint(sql).fallback);
    EXPECT_EQ(fp.stats().too_complex, 1u);
  }
}

// Nested comments: with blanks between the markers (a linear scan
// everywhere) and without ("/*/*/*...", which libpg_query's scanner rescans
// once per "/*": quadratic). 300k levels without blanks would take libpg_query
// about 15 minutes; here the run is refused in one linear pass.
TEST(DeepStatements, NestedCommentsAreLinear) {
  for (size_t depth : {1000, 10000, 100000, 300000}) {
    SCOPED_TRACE(depth);
    std::string spaced = "SELECT 1 " + Repeat("/* ", depth) + "x" + Repeat(" */", depth);
    std::string packed = "SELECT 1 " + Repeat("/*", depth) + "x" + Repeat("*/", depth);
    Fingerprinter fp;
    const Shape& a = fp.Fingerprint(spaced);
    EXPECT_FALSE(a.fallback) << a.parse_error;
    EXPECT_EQ(a.fingerprint, FingerprintWithLibpgQuery("SELECT 1").fingerprint);
    Fingerprinter fp2;  // the key equals spaced's: a new cache, so libpg_query is asked
    const Shape& b = fp2.Fingerprint(packed);
    if (depth == 1000) {
      EXPECT_FALSE(b.fallback) << b.parse_error;
      EXPECT_EQ(b.fingerprint, a.fingerprint);
    } else {
      EXPECT_TRUE(b.fallback);
      EXPECT_NE(b.parse_error.find("quadratic"), std::string::npos) << b.parse_error;
      EXPECT_EQ(fp2.stats().too_complex, 1u);
    }
    // Our own comment handling: the displayed text, migration comments.
    EXPECT_EQ(sql::StripComments(packed), "SELECT 1");
    EXPECT_EQ(sql::FindComments(spaced, 0, spaced.size()).size(), 1u);
    EXPECT_EQ(sql::SkipSpaceAndComments(packed, 8), packed.size());
  }
}

TEST(DeepStatements, ParseTreeFunctionsRefuseWithAMessageNotACrash) {
  std::string deep = "SELECT 1" + Repeat(" + 1", 100000);
  sql::PgParseStatements parsed = sql::ParseStatements(deep);
  EXPECT_FALSE(parsed.ok);
  EXPECT_NE(parsed.error.find("nested too deeply"), std::string::npos) << parsed.error;
  // Split and parse: the deep statement is one error, the others are parsed.
  std::string text = "SELECT 1;\n" + deep + ";\nDROP TABLE t;\n";
  std::vector<sql::ParsedChunk> chunks = sql::SplitAndParse(text);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_TRUE(chunks[0].ok);
  EXPECT_FALSE(chunks[1].ok);
  EXPECT_NE(chunks[1].error.find("nested too deeply"), std::string::npos);
  EXPECT_TRUE(chunks[2].ok);
  EXPECT_EQ(chunks[2].statements.size(), 1u);
  // "/*/*/*..." in one statement: the splitter is not given the comment
  // (quadratic for its scanner), yet the statements around it are split
  // and parsed, and only that statement is an error.
  std::string packed = "SELECT 1 " + Repeat("/*", 100000) + "x" + Repeat("*/", 100000);
  chunks = sql::SplitAndParse("SELECT 1;\n" + packed + ";\nDROP TABLE t;\n");
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_TRUE(chunks[0].ok);
  EXPECT_FALSE(chunks[1].ok);
  EXPECT_NE(chunks[1].error.find("quadratic"), std::string::npos) << chunks[1].error;
  EXPECT_TRUE(chunks[2].ok);
  // Many unterminated quotes: each moves the cut to an earlier ';' (a loop,
  // so no recursion as deep as the number of statements).
  chunks = sql::SplitAndParse(Repeat("SELECT ';", 100000));
  EXPECT_FALSE(chunks.empty());
}

TEST(DeepStatements, MigrationLintReportsTheDeepStatementAndLintsTheRest) {
  for (const Construct& c : Constructs()) {
    SCOPED_TRACE(c.name);
    std::string text = "CREATE INDEX a ON t (x);\n" + c.make(100000) + ";\nDROP TABLE u;\n";
    LoadedMigration loaded = LoadMigration("m.sql", text, {});
    ASSERT_EQ(loaded.diagnostics.size(), 1u);
    EXPECT_EQ(loaded.diagnostics[0].location.line, 2u);
    ASSERT_EQ(loaded.file.statements.size(), 2u);
    EXPECT_EQ(loaded.file.statements[1].kind, "DropStmt");
  }
}

TEST(DeepStatements, DeepPlpgsqlBlocksAreRefused) {
  for (size_t depth : {1000, 10000, 100000}) {
    SCOPED_TRACE(depth);
    std::string body = "BEGIN " + Repeat("IF true THEN ", depth) + "PERFORM 1; " + Repeat("END IF; ", depth) + "END";
    std::vector<sql::PlpgsqlSql> out;
    std::string error;
    bool ok = sql::PlpgsqlStatements(body, &out, &error);
    if (depth == 1000) {
      EXPECT_TRUE(ok) << error;
    } else {
      EXPECT_FALSE(ok);
      EXPECT_NE(error.find("nested too deeply"), std::string::npos) << error;
    }
    // Through a DO block in a migration.
    LoadedMigration loaded = LoadMigration("m.sql", "DO $$" + body + "$$;\nDROP TABLE u;\n", {});
    EXPECT_EQ(loaded.file.statements.back().kind, "DropStmt");
  }
}

TEST(DeepStatements, DeepPlansAreRefusedWithAMessage) {
  for (size_t depth : {1000, 10000, 100000}) {
    SCOPED_TRACE(depth);
    std::string json = "[{\"Plan\": ";
    for (size_t i = 0; i < depth; ++i) json += "{\"Node Type\": \"Result\", \"Plans\": [";
    json += "{\"Node Type\": \"Result\"}";
    for (size_t i = 0; i < depth; ++i) json += "]}";
    json += "}]";
    auto plan = ReadExplainJson(json);
    if (depth > 1000) {
      EXPECT_FALSE(plan.ok());
    }
    // A text plan's indentation grows with its depth (its size is quadratic):
    // 5000 levels, one more blank each, are past the reader's limit.
    std::string text = "Result  (cost=0.00..0.01 rows=1 width=4)\n";
    for (size_t i = 1; i <= std::min<size_t>(depth, 5000); ++i) {
      text += std::string(i, ' ') + "->  Result  (cost=0.00..0.01 rows=1 width=4)\n";
    }
    auto text_plan = ReadExplainText(text);
    if (depth > 1000) {
      EXPECT_FALSE(text_plan.ok());
    }
    // Plain JSON nesting (no plan objects) is an error too, not a crash.
    EXPECT_FALSE(ReadExplainJson(Repeat("[", depth) + Repeat("]", depth)).ok());
  }
}

// Worker threads may have small stacks (a library caller's, or ulimit -s):
// the limit follows the stack the calling thread has left.
TEST(DeepStatements, TheLimitFollowsTheStackOfTheCallingThread) {
  struct Out {
    uint64_t limit = 0;
    bool fallback = false;
    uint64_t too_complex = 0;
  } out;
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, 512 << 10), 0);
  pthread_t thread;
  auto run = [](void* arg) -> void* {
    Out* o = static_cast<Out*>(arg);
    o->limit = sql::ParseDepthLimit();
    Fingerprinter fp;
    // 3000 terms: about 1 MiB of libpg_query's stack, more than the thread has.
    o->fallback = fp.Fingerprint("SELECT 1" + Repeat(" + 1", 3000)).fallback;
    o->too_complex = fp.stats().too_complex;
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, run, &out), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  EXPECT_LT(out.limit, 300u);
  EXPECT_TRUE(out.fallback);
  EXPECT_EQ(out.too_complex, 1u);
  // The main thread (8 MiB by default) allows far more.
  EXPECT_GE(sql::ParseDepthLimit(), 3000u);
}

}  // namespace
}  // namespace pgsift
