// Inputs the fuzz targets (tests/fuzz/) found, replayed as plain tests so
// the normal build keeps them fixed. The raw inputs are in fixtures/fuzz/.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "pgsift/event.h"
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

// fingerprint_fuzz (a CI pass): a dollar-quoted body cut short,
// "... AS $$ INSERT ... sert_d$", after the same statement with its closing
// $$. The shape key runs an unterminated literal to the end and marks the
// statement unclean, so both had one key; the first statement of a key was
// checked for cleanness, a cache hit was not, so the cache answered for a
// statement libpg_query rejects. Unclean statements now always go to
// libpg_query.
TEST(FuzzRegressions, UnterminatedDollarQuoteNeverTakesTheCache) {
  std::ifstream in(testing::Fixture("fuzz/fingerprint_fuzz/unterminated_dollar_quote"), std::ios::binary);
  std::string crash((std::istreambuf_iterator<char>(in)), {});
  ASSERT_EQ(crash.back(), '$');
  std::string closed = crash.substr(0, crash.rfind("$$") + 2) + " INSERT INTO tbl VALUES (b) $$";
  for (const std::string& first : {closed, std::string("SELECT $$a$$"), std::string("SELECT $tag$a$tag$")}) {
    Fingerprinter fp;
    ASSERT_FALSE(fp.Fingerprint(first).fallback) << first;
    for (const std::string& sql : {crash, std::string("SELECT $$a"), std::string("SELECT $tag$a$tag")}) {
      const Shape& s = fp.Fingerprint(sql);
      ExactFingerprint exact = FingerprintWithLibpgQuery(sql);
      EXPECT_EQ(exact.ok, !s.fallback) << first << " then " << sql;
      if (exact.ok) {
        EXPECT_EQ(exact.fingerprint, s.fingerprint);
      }
    }
  }
}

// fingerprint_fuzz: "t.b = 3AND t.a" after "t.b = 3 AND t.a". libpg_query
// 15-4.0.0 rejects trailing junk after a number; our key lexed 3 and AND
// apart, so the cache answered with the valid statement's fingerprint.
TEST(FuzzRegressions, TrailingJunkAfterANumberNeverTakesTheCache) {
  for (const std::string& first : {std::string("SELECT * FROM t WHERE t.b = 3 AND t.a IN (1, 2)"),
                                   std::string("SELECT 1 x"), std::string("SELECT 1 e")}) {
    Fingerprinter fp;
    ASSERT_FALSE(fp.Fingerprint(first).fallback) << first;
    for (const std::string& sql : {std::string("SELECT * FROM t WHERE t.b = 3AND t.a IN (1, 2)"),
                                   std::string("SELECT 1x"), std::string("SELECT 0x1F"), std::string("SELECT 1e"),
                                   std::string("SELECT 1.5e3 x"), std::string("SELECT 1 AND 2")}) {
      const Shape& s = fp.Fingerprint(sql);
      ExactFingerprint exact = FingerprintWithLibpgQuery(sql);
      EXPECT_EQ(exact.ok, !s.fallback) << first << " then " << sql;
      if (exact.ok) {
        EXPECT_EQ(exact.fingerprint, s.fingerprint) << first << " then " << sql;
      }
    }
  }
}

// stderr_reader_fuzz: a %n (epoch seconds) prefix field of 65 digits. The
// double was cast to int64 microseconds out of range (undefined behaviour).
TEST(FuzzRegressions, EpochTimestampOutOfRangeIsNoTime) {
  EXPECT_EQ(ParseLogTimestamp(std::string(65, '7')), kNoTime);
  EXPECT_EQ(ParseLogTimestamp("1e300"), kNoTime);
  EXPECT_EQ(ParseLogTimestamp("1763890000.5"), int64_t{1763890000500000});
}

}  // namespace
}  // namespace pgsift
