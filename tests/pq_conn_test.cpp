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

// Only the password leaves the conninfo; the rest stays there, quoted so
// that pg_dump's libpq reads it back as it was.
TEST(ChildConnection, ThePasswordGoesToTheEnvironment) {
  ChildConnection c = ChildConnectionFor(
      "host=db.clinic.example port=5433 dbname=clinic user=auditor password='s3cr et\\'x' sslmode=require "
      "fallback_application_name='a b\\\\c'");
  EXPECT_EQ(c.env, std::vector<std::string>{"PGPASSWORD=s3cr et'x"});
  EXPECT_EQ(c.dbname_arg,
            "user='auditor' dbname='clinic' host='db.clinic.example' port='5433' "
            "fallback_application_name='a b\\\\c' sslmode='require'");
  EXPECT_EQ(c.dbname_arg.find("s3cr"), std::string::npos);
}

TEST(ChildConnection, UrisToo) {
  ChildConnection c = ChildConnectionFor("postgresql://auditor:pw%40x@db:6432/clinic?sslmode=verify-full");
  EXPECT_EQ(c.env, std::vector<std::string>{"PGPASSWORD=pw@x"});
  EXPECT_EQ(c.dbname_arg, "user='auditor' dbname='clinic' host='db' port='6432' sslmode='verify-full'");
}

TEST(ChildConnection, NoPasswordNoEnvironment) {
  ChildConnection c = ChildConnectionFor("dbname=clinic");
  EXPECT_TRUE(c.env.empty());
  EXPECT_EQ(c.dbname_arg, "dbname='clinic'");
  EXPECT_TRUE(ChildConnectionFor("").env.empty());
  EXPECT_EQ(ChildConnectionFor("").dbname_arg, "");
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
