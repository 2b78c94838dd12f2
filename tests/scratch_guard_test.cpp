// The scratch database's guards (analyzer/db/scratch_guard.h): the marker
// comment, which leftovers are stale, the DROP per server version, and the
// migration statements that act on the whole cluster (issue 16 section 4).
#include "db/scratch_guard.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pgsift/migration.h"

namespace {

using pgsift::db::ClusterWideStatement;
using pgsift::db::DropDatabaseSql;
using pgsift::db::IsStale;
using pgsift::db::ReadScratchMark;
using pgsift::db::ScratchComment;

bool Alive(pid_t pid) { return pid == 4242; }

TEST(ScratchGuard, MarkerRoundTrip) {
  auto mark = ReadScratchMark(ScratchComment(1234, "ci-runner-7"));
  EXPECT_TRUE(mark.disposable);
  EXPECT_TRUE(mark.created_by_pgsift);
  EXPECT_EQ(mark.pid, 1234);
  EXPECT_EQ(mark.host, "ci-runner-7");
  // The user's own marker: disposable, not pgsift's.
  auto user = ReadScratchMark("pgsift:scratch");
  EXPECT_TRUE(user.disposable);
  EXPECT_FALSE(user.created_by_pgsift);
  for (const char* other :
       {"", "production", "pgsift:scratchy", "PGSIFT:SCRATCH", " pgsift:scratch", "our pgsift:scratch copy"}) {
    EXPECT_FALSE(ReadScratchMark(other).disposable) << other;
  }
}

TEST(ScratchGuard, OnlyGoneProcessesOfThisHostAreStale) {
  auto mark = [](long pid, const char* host) { return ReadScratchMark(ScratchComment(static_cast<pid_t>(pid), host)); };
  EXPECT_TRUE(IsStale(mark(999, "h1"), "h1", 100, Alive));                     // gone
  EXPECT_FALSE(IsStale(mark(4242, "h1"), "h1", 100, Alive));                   // still running
  EXPECT_FALSE(IsStale(mark(999, "h2"), "h1", 100, Alive));                    // another host's
  EXPECT_TRUE(IsStale(mark(100, "h1"), "h1", 100, Alive));                     // our own pid: a namesake left over
  EXPECT_FALSE(IsStale(ReadScratchMark("pgsift:scratch"), "h1", 100, Alive));  // the user's database
}

TEST(ScratchGuard, DropWithoutForceBeforePostgres13) {
  for (int version : {100023, 110022, 120022}) {
    auto sql = DropDatabaseSql(version, "\"pgsift_scratch_7\"", "'pgsift_scratch_7'");
    ASSERT_EQ(sql.size(), 2u) << version;
    EXPECT_NE(sql[0].find("pg_terminate_backend(pid)"), std::string::npos);
    EXPECT_NE(sql[0].find("datname = 'pgsift_scratch_7'"), std::string::npos);
    EXPECT_EQ(sql[1], "DROP DATABASE IF EXISTS \"pgsift_scratch_7\"");
    for (const std::string& s : sql) EXPECT_EQ(s.find("FORCE"), std::string::npos) << s;
  }
  for (int version : {130000, 150010, 170002}) {
    auto sql = DropDatabaseSql(version, "\"pgsift_scratch_7\"", "'pgsift_scratch_7'");
    ASSERT_EQ(sql.size(), 1u);
    EXPECT_EQ(sql[0], "DROP DATABASE IF EXISTS \"pgsift_scratch_7\" WITH (FORCE)");
  }
}

std::vector<std::string> ClusterWide(const std::string& sql) {
  pgsift::LintOptions options;
  auto loaded = pgsift::LoadMigration("m.sql", sql, options);
  EXPECT_TRUE(loaded.diagnostics.empty()) << sql;
  std::vector<std::string> out;
  for (const auto& s : loaded.file.statements) {
    if (auto what = ClusterWideStatement(s)) out.push_back(*what + "@" + std::to_string(s.location.line));
  }
  return out;
}

TEST(ScratchGuard, ClusterWideStatements) {
  EXPECT_EQ(ClusterWide("CREATE ROLE reporter LOGIN;"), std::vector<std::string>{"CREATE ROLE@1"});
  EXPECT_EQ(ClusterWide("CREATE TABLE t (id int);\nCREATE USER app;\n"), std::vector<std::string>{"CREATE ROLE@2"});
  for (const char* sql : {"ALTER ROLE app CREATEROLE;",
                          "ALTER ROLE app SET search_path = x;",
                          "DROP ROLE app;",
                          "GRANT admin TO app;",
                          "ALTER SYSTEM SET work_mem = '1GB';",
                          "CREATE TABLESPACE ts LOCATION '/tmp/ts';",
                          "DROP TABLESPACE ts;",
                          "ALTER TABLESPACE ts SET (seq_page_cost = 2);",
                          "CREATE DATABASE other;",
                          "DROP DATABASE other;",
                          "ALTER DATABASE clinic SET work_mem = '1GB';",
                          "ALTER DATABASE clinic CONNECTION LIMIT 1;",
                          "ALTER ROLE app RENAME TO app2;",
                          "ALTER DATABASE clinic OWNER TO app;",
                          "COMMENT ON ROLE app IS 'x';",
                          "GRANT CONNECT ON DATABASE clinic TO app;",
                          "REASSIGN OWNED BY app TO postgres;",
                          "CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p;",
                          "DROP SUBSCRIPTION s;",
                          "DO $$ BEGIN CREATE ROLE inner_role; END $$;"}) {
    EXPECT_FALSE(ClusterWide(sql).empty()) << sql;
  }
  for (const char* sql : {"CREATE TABLE t (id int);", "ALTER TABLE t ADD COLUMN c int;", "GRANT SELECT ON t TO app;",
                          "COMMENT ON TABLE t IS 'x';", "ALTER TABLE t RENAME TO u;",
                          "CREATE INDEX CONCURRENTLY i ON t (id);", "SET ROLE app;", "ALTER TABLE t OWNER TO app;"}) {
    EXPECT_TRUE(ClusterWide(sql).empty()) << sql;
  }
}

}  // namespace
