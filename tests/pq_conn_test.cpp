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

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(ChildConnection, EverySettingWithAnEnvironmentVariableGoesThere) {
  ChildConnection c = ChildConnectionFor(
      "host=db.clinic.example port=5433 dbname=clinic user=auditor password='s3cr et\\'x' sslmode=require "
      "application_name=pgsift-sample");
  EXPECT_EQ(Sorted(c.env),
            (std::vector<std::string>{"PGAPPNAME=pgsift-sample", "PGDATABASE=clinic", "PGHOST=db.clinic.example",
                                      "PGPASSWORD=s3cr et'x", "PGPORT=5433", "PGSSLMODE=require", "PGUSER=auditor"}));
  EXPECT_EQ(c.dbname_arg, "");
}

TEST(ChildConnection, UrisToo) {
  ChildConnection c = ChildConnectionFor("postgresql://auditor:pw%40x@db:6432/clinic?sslmode=verify-full");
  EXPECT_EQ(Sorted(c.env), (std::vector<std::string>{"PGDATABASE=clinic", "PGHOST=db", "PGPASSWORD=pw@x", "PGPORT=6432",
                                                     "PGSSLMODE=verify-full", "PGUSER=auditor"}));
  EXPECT_EQ(c.dbname_arg, "");
}

// libpq has no variable for a few settings; they stay in a --dbname conninfo,
// quoted so that pg_dump's libpq reads them back as they were.
TEST(ChildConnection, TheRestStaysInAQuotedConninfo) {
  ChildConnection c = ChildConnectionFor("dbname=clinic fallback_application_name='a b\\\\c'");
  EXPECT_EQ(c.env, std::vector<std::string>{"PGDATABASE=clinic"});
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
