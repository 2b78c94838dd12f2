// The duration parser's fast path must read every value exactly as
// std::from_chars does (the totals would drift otherwise): every duration of
// the real fixture log, and the edge forms that must fall back.
#include <gtest/gtest.h>

#include <charconv>
#include <cstring>
#include <fstream>
#include <string>

#include "input/internal.h"
#include "test_util.h"

namespace pgsift {
namespace {

using input_internal::ParsePlainDecimal;
using testing::Fixture;

// Returns true when the fast path took the text; then it must agree with
// from_chars bit for bit and end at the same place.
bool AgreesWithFromChars(const std::string& text) {
  const char* b = text.data();
  const char* e = b + text.size();
  double fast = -1;
  const char* end = ParsePlainDecimal(b, e, &fast);
  if (end == nullptr) return false;
  double slow = -2;
  auto [p, ec] = std::from_chars(b, e, slow);
  EXPECT_EQ(ec, std::errc()) << text;
  EXPECT_EQ(end, p) << text;
  EXPECT_EQ(std::memcmp(&fast, &slow, sizeof fast), 0) << text << ": " << fast << " vs " << slow;
  return true;
}

TEST(ParseDecimal, EveryDurationOfTheRealLogReadsLikeFromChars) {
  std::ifstream in(Fixture("logs/clinic.stderr.log"));
  std::string line;
  size_t taken = 0;
  while (std::getline(in, line)) {
    size_t at = line.find("duration: ");
    if (at == std::string::npos) continue;
    taken += AgreesWithFromChars(line.substr(at + 10));
  }
  EXPECT_GT(taken, 1000u);
}

TEST(ParseDecimal, EdgeForms) {
  for (const char* t : {"0.001 ms", "1 ms", "12.5", "999999999999.999", "0.000000000000001", "123456789012345",
                        "4503599627370497.0", "0.1", "2.675", "1.005"}) {
    AgreesWithFromChars(t);
  }
  double v = 0;
  // Forms the fast path leaves to from_chars.
  for (const char* t : {"", ".5", "12.", "-1.0", "1e3", "1.5E2", "1234567890123456", "inf", "nan", "x"}) {
    EXPECT_EQ(ParsePlainDecimal(t, t + std::strlen(t), &v), nullptr) << t;
  }
  // Every 3-decimal value up to 100 s, as PostgreSQL prints durations.
  for (int i = 0; i <= 100000000; i += 997) {
    std::string t = std::to_string(i / 1000) + "." + std::to_string(1000 + i % 1000).substr(1);
    ASSERT_TRUE(AgreesWithFromChars(t)) << t;
  }
}

}  // namespace
}  // namespace pgsift
