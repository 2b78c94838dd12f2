// db::WithSession (db/session.h): the one connect + read-only session +
// redaction prologue of the snapshot, schema and HypoPG readers.
#include <gtest/gtest.h>

#include <string>

#include "db/session.h"
#include "pgsift/own_statements.h"

namespace pgsift::db {
namespace {

TEST(WithSession, AFailedConnectionIsAnErrorWithoutThePassword) {
  ConnectOptions options;
  options.dsn = "host=/nonexistent/s3cretpw dbname=clinic password=s3cretpw";
  bool ran = false;
  Status s = WithSession(
      options,
      [&](pqxx::nontransaction&, const std::string&) -> Status {
        ran = true;
        return Ok{};
      },
      [](const std::exception& e) { return "probe: " + std::string(e.what()); });
  EXPECT_FALSE(ran);
  ASSERT_FALSE(s.ok());
  // "<where>: <describe(e)>", every occurrence of the password masked.
  EXPECT_EQ(s.error().rfind("password=*** dbname=clinic host=/nonexistent/***: probe: connection to server", 0), 0u)
      << s.error();
  EXPECT_EQ(s.error().find("s3cretpw"), std::string::npos) << s.error();
  EXPECT_NE(s.error().back(), '\n');
}

}  // namespace
}  // namespace pgsift::db

namespace pgsift::db {
namespace {

// The tag goes after the first keyword, where PostgreSQL 18's
// pg_stat_statements keeps it (it drops a comment in front of a statement:
// version_matrix_live_postgres checks that on a real 18), and every tagged
// statement is recognised as pgsift's own.
TEST(Own, TagsAfterTheFirstKeywordAndIsRecognised) {
  EXPECT_EQ(Own("SET lock_timeout = '5s'"), "SET /* pgsift */ lock_timeout = '5s'");
  EXPECT_EQ(Own("  SELECT 1"), "  SELECT /* pgsift */ 1");
  EXPECT_EQ(Own("COMMIT"), "COMMIT /* pgsift */");
  EXPECT_EQ(Own("(SELECT 1)"), "/* pgsift */ (SELECT 1)");
  for (const char* sql : {"SET lock_timeout = '5s'", "EXPLAIN (FORMAT JSON) EXECUTE pgsift_q(1)", "COMMIT",
                          "(SELECT 1)", "with x as (select 1) select * from x"}) {
    EXPECT_TRUE(IsPgsiftText(Own(sql))) << sql;
    EXPECT_FALSE(IsPgsiftText(sql)) << sql;
  }
  EXPECT_TRUE(IsPgsiftText("/* pgsift */ SELECT 1"));  // as pgsift wrote it before
  EXPECT_FALSE(IsPgsiftText("SELECT 1 /* pgsift */"));
  EXPECT_FALSE(IsPgsiftText("SELECT name FROM patients WHERE note = '/* pgsift */'"));
  EXPECT_FALSE(IsPgsiftText(""));
  // pgsift writes no UPDATE, DELETE or INSERT: with the tag they are still an application's.
  EXPECT_FALSE(IsPgsiftText("UPDATE /* pgsift */ accounts SET x = 1"));
  EXPECT_FALSE(IsPgsiftText("delete /* pgsift */ from accounts"));
  EXPECT_FALSE(IsPgsiftText("/* pgsift */ INSERT INTO accounts VALUES (1)"));
}

}  // namespace
}  // namespace pgsift::db
