// db/pq_conn.h: how pg_dump (sample mode) gets the source DSN without it on
// its command line, where every user of the machine can read the password.
#include "db/pq_conn.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace pgsift::db {
namespace {

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(ChildConnection, EverySettingWithAnEnvironmentVariableGoesThere) {
  ChildConnection c = ChildConnectionFor(
      "host=db.clinic.example port=5433 dbname=clinic user=auditor password='s3cr et\\'x' sslmode=require "
      "application_name=pgsift-sample");
  EXPECT_TRUE(Has(c.env, "PGHOST=db.clinic.example"));
  EXPECT_TRUE(Has(c.env, "PGPORT=5433"));
  EXPECT_TRUE(Has(c.env, "PGDATABASE=clinic"));
  EXPECT_TRUE(Has(c.env, "PGUSER=auditor"));
  EXPECT_TRUE(Has(c.env, "PGPASSWORD=s3cr et'x"));
  EXPECT_TRUE(Has(c.env, "PGSSLMODE=require"));
  EXPECT_TRUE(Has(c.env, "PGAPPNAME=pgsift-sample"));
  EXPECT_EQ(c.dbname_arg, "");
}

TEST(ChildConnection, UrisToo) {
  ChildConnection c = ChildConnectionFor("postgresql://auditor:pw%40x@db:6432/clinic?sslmode=verify-full");
  EXPECT_TRUE(Has(c.env, "PGPASSWORD=pw@x"));
  EXPECT_TRUE(Has(c.env, "PGHOST=db"));
  EXPECT_TRUE(Has(c.env, "PGPORT=6432"));
  EXPECT_TRUE(Has(c.env, "PGSSLMODE=verify-full"));
  EXPECT_EQ(c.dbname_arg, "");
}

// libpq has no variable for a few settings; they stay in a --dbname conninfo,
// quoted so that pg_dump's libpq reads them back as they were.
TEST(ChildConnection, TheRestStaysInAQuotedConninfo) {
  ChildConnection c = ChildConnectionFor("dbname=clinic fallback_application_name='a b\\\\c'");
  EXPECT_TRUE(Has(c.env, "PGDATABASE=clinic"));
  EXPECT_EQ(c.dbname_arg, "fallback_application_name='a b\\\\c'");
  EXPECT_TRUE(ChildConnectionFor("").env.empty());
}

TEST(ChildConnection, AnUnparsableDsnIsAnErrorWithoutThePassword) {
  try {
    ChildConnectionFor("host=db password=hunter2 port='unterminated");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("not a libpq connection string"), std::string::npos) << what;
    EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace pgsift::db
