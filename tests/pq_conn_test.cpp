// db/pq_conn.h: how pg_dump (sample mode) gets the source DSN without its
// password on the command line, where every user of the machine can read it.
#include "db/pq_conn.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace pgsift::db {
namespace {

// Only the password leaves the conninfo; the rest stays there, quoted so
// that pg_dump's libpq reads it back as it was.
TEST(ChildConnection, ThePasswordComesApart) {
  ChildConnection c = ChildConnectionFor(
      "host=db.clinic.example port=5433 dbname=clinic user=auditor password='s3cr et\\'x' sslmode=require "
      "fallback_application_name='a b\\\\c'");
  EXPECT_EQ(c.password, "s3cr et'x");
  EXPECT_EQ(c.dbname_arg,
            "user='auditor' dbname='clinic' host='db.clinic.example' port='5433' "
            "fallback_application_name='a b\\\\c' sslmode='require'");
  EXPECT_EQ(c.dbname_arg.find("s3cr"), std::string::npos);
}

TEST(ChildConnection, UrisToo) {
  ChildConnection c = ChildConnectionFor("postgresql://auditor:pw%40x@db:6432/clinic?sslmode=verify-full");
  EXPECT_EQ(c.password, "pw@x");
  EXPECT_EQ(c.dbname_arg, "user='auditor' dbname='clinic' host='db' port='6432' sslmode='verify-full'");
}

TEST(ChildConnection, NoPassword) {
  ChildConnection c = ChildConnectionFor("dbname=clinic");
  EXPECT_FALSE(c.password.has_value());
  EXPECT_EQ(c.dbname_arg, "dbname='clinic'");
  EXPECT_FALSE(ChildConnectionFor("").password.has_value());
  EXPECT_EQ(ChildConnectionFor("").dbname_arg, "");
}

// The bounded waits pgsift adds reach pg_dump, except tcp_user_timeout,
// which pg_dump before 12 (a PostgreSQL 10 or 11 source) refuses.
TEST(ChildConnection, PgDumpGetsTheTimeoutsItKnows) {
  unsetenv("PGCONNECT_TIMEOUT");
  unsetenv("PGSIFT_CONNECT_TIMEOUT");
  ConnectOptions options;
  options.dsn = "dbname=clinic password=pw";
  ChildConnection c = ChildConnectionFor(ResolveDsn(options));
  EXPECT_EQ(c.dbname_arg,
            "connect_timeout='10' dbname='clinic' application_name='pgsift' keepalives='1' keepalives_idle='30' "
            "keepalives_interval='10' keepalives_count='3'");
  EXPECT_EQ(c.password, "pw");
  options.dsn = "dbname=clinic tcp_user_timeout=5000";
  EXPECT_NE(ChildConnectionFor(ResolveDsn(options)).dbname_arg.find("tcp_user_timeout='5000'"), std::string::npos);
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
