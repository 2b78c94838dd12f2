// Inputs the fuzz targets (tests/fuzz/) found, replayed as plain tests so
// the normal build keeps them fixed. The raw inputs are in fixtures/fuzz/.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "pgsift/fingerprint.h"
#include "test_util.h"

namespace pgsift {
namespace {

// fingerprint_fuzz: "\n\v\n-- comment" after a comment-only statement. Our
// shape key took \v for whitespace (PostgreSQL 16 does; 15's scanner, the one
// in libpg_query 15-4.0.0, does not), so both had the same key and the cache
// answered with the comment's fingerprint where libpg_query reports a syntax
// error.
TEST(FuzzRegressions, VerticalTabIsNotWhitespaceInPostgres15) {
  std::ifstream in(testing::Fixture("fuzz/fingerprint_fuzz/vertical_tab_comment"), std::ios::binary);
  std::string crash((std::istreambuf_iterator<char>(in)), {});
  ASSERT_NE(crash.find('\v'), std::string::npos);
  for (const std::string& first : {std::string("\n\n-- *releasing all session lockock_all()"), std::string("")}) {
    Fingerprinter fp;
    const Shape& warm = fp.Fingerprint(first);
    ASSERT_FALSE(warm.fallback);
    for (const std::string& sql : {crash, std::string("\vSELECT 1"), std::string("SELECT 1\v")}) {
      const Shape& s = fp.Fingerprint(sql);
      ExactFingerprint exact = FingerprintWithLibpgQuery(sql);
      EXPECT_EQ(exact.ok, !s.fallback);
      if (exact.ok) {
        EXPECT_EQ(exact.fingerprint, s.fingerprint);
      }
    }
  }
}

}  // namespace
}  // namespace pgsift
