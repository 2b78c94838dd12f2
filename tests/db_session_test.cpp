// db::WithSession (db/session.h): the one connect + read-only session +
// redaction prologue of the snapshot, schema and HypoPG readers.
#include <gtest/gtest.h>

#include <string>

#include "db/session.h"

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
