// Resource bounds on adversarial input: statements past kMaxStatementBytes
// are fingerprinted truncated and marked; past max_shapes distinct shapes,
// new ones share one overflow entry that is counted, and known shapes are
// still answered exactly. Also the readers' handling of NUL bytes.
#include <gtest/gtest.h>

#include <string>

#include "pgsift/analyze.h"
#include "pgsift/assembler.h"
#include "pgsift/fingerprint.h"
#include "pgsift/prefix.h"
#include "pgsift/readers.h"
#include "pgsift/workload.h"

namespace pgsift {
namespace {

std::string InList(size_t bytes, const std::string& item) {
  std::string sql = "SELECT id FROM patients WHERE id IN (";
  while (sql.size() < bytes) sql += item + ", ";
  return sql + "0)";
}

TEST(Bounds, LongStatementIsFingerprintedFromATruncatedMarkedForm) {
  Fingerprinter fp;
  std::string a = InList(kMaxStatementBytes + 4096, "1234567");
  const Shape& s = fp.Fingerprint(a);
  EXPECT_TRUE(s.truncated);
  EXPECT_TRUE(s.fallback);
  EXPECT_LE(s.normalized.size(), kMaxStatementBytes);
  EXPECT_EQ(s.normalized.find("1234567"), std::string::npos) << "a literal of the long statement is shown";
  EXPECT_NE(s.parse_error.find("longer than"), std::string::npos);
  EXPECT_EQ(fp.stats().truncated, 1u);
  // Another value in the list, same length class: the same truncated shape.
  std::string b = InList(kMaxStatementBytes + 4096, "7654321");
  EXPECT_EQ(fp.Fingerprint(b).fingerprint, s.fingerprint);
  // A long statement under the limit goes the normal way, exactly (the
  // upstream golden set has a 1.1 MB INSERT).
  std::string c = InList(2 << 20, "42");
  const Shape& under = fp.Fingerprint(c);
  EXPECT_FALSE(under.truncated);
  ExactFingerprint exact = FingerprintWithLibpgQuery(c);
  ASSERT_TRUE(exact.ok);
  EXPECT_EQ(under.fingerprint, exact.fingerprint);
}

TEST(Bounds, DistinctShapesPastTheCapShareOneCountedOverflowShape) {
  constexpr size_t kCap = 50;
  Fingerprinter fp(Fingerprinter::KeyMode::kShape, kCap);
  for (int i = 0; i < 2000; ++i) {
    const Shape& s = fp.Fingerprint("SELECT c" + std::to_string(i) + " FROM t WHERE id = " + std::to_string(i));
    if (i < static_cast<int>(kCap)) {
      EXPECT_FALSE(s.overflow) << i;
    } else {
      EXPECT_TRUE(s.overflow) << i;
      EXPECT_EQ(s.normalized.find("c" + std::to_string(i)), std::string::npos);
    }
  }
  EXPECT_EQ(fp.stats().overflow, 2000u - kCap);
  EXPECT_LE(fp.stats().shapes, kCap);
  // Shapes seen before the cap are still answered, exactly.
  std::string known = "SELECT c7 FROM t WHERE id = 99999";
  const Shape& s = fp.Fingerprint(known);
  EXPECT_FALSE(s.overflow);
  EXPECT_EQ(s.fingerprint, FingerprintWithLibpgQuery(known).fingerprint);
}

TEST(Bounds, OverflowIsOneWorkloadEntry) {
  Fingerprinter fp(Fingerprinter::KeyMode::kShape, 10);
  Workload w;
  for (int i = 0; i < 500; ++i) {
    const Shape& s = fp.Fingerprint("SELECT c" + std::to_string(i) + " FROM t");
    ++w.Stats(s, 0, static_cast<uint64_t>(i)).calls;
  }
  EXPECT_EQ(w.queries.size() + w.fallback_queries.size(), 11u);
  size_t overflow_calls = 0;
  for (const auto& [k, q] : w.fallback_queries) {
    if (q.overflow) overflow_calls += q.calls;
  }
  EXPECT_EQ(overflow_calls, 490u);
}

// --max-shapes is one cap for every thread of a run.
TEST(Bounds, ShapeBudgetIsSharedByFingerprinters) {
  ShapeBudget budget(50);
  Fingerprinter a(Fingerprinter::KeyMode::kShape, &budget);
  Fingerprinter b(Fingerprinter::KeyMode::kShape, &budget);
  for (int i = 0; i < 100; ++i) {
    a.Fingerprint("SELECT a" + std::to_string(i) + " FROM t");
    b.Fingerprint("SELECT b" + std::to_string(i) + " FROM t");
  }
  EXPECT_EQ(a.stats().overflow + b.stats().overflow, 150u);
}

class Collect : public EventSink {
 public:
  void OnEvent(const Event& e) override { sql.emplace_back(e.sql); }
  std::vector<std::string> sql;
};

TEST(Bounds, NulBytesAreSkippedAsBinaryWithTheirLine) {
  using std::string_literals::operator""s;
  std::string with_nuls =
      "2026-11-23 09:24:58.814 UTC [1] LOG:  duration: 0.1 ms  statement: SELECT 1\n"
      "2026-11-23 09:24:58.815 UTC [1] LOG:  duration: 0.1 ms  statement: SELECT \0 2\n"
      "\0\0\0\0\0\0\0\0\n"
      "2026-11-23 09:24:58.816 UTC [1] LOG:  duration: 0.1 ms  statement: SELECT 3\n"s;
  ASSERT_EQ(with_nuls.back(), '\n');
  auto prefix = LinePrefix::Compile("%m [%p] ");
  ASSERT_TRUE(prefix.ok());
  Collect events;
  Assembler assembler(&events);
  LineReader lines(with_nuls, 0);
  ReadStderr(&lines, *prefix, &assembler);
  assembler.Flush();
  const RecordCounts& c = assembler.counts();
  EXPECT_EQ(c.skipped_lines[static_cast<size_t>(SkipReason::kBinary)], 2u);
  EXPECT_EQ(c.lines_in_records + c.skipped_total(), lines.line_number());
  ASSERT_EQ(events.sql.size(), 2u);
  EXPECT_EQ(events.sql[0], "SELECT 1");
  EXPECT_EQ(events.sql[1], "SELECT 3") << "the NUL block became part of a message";
  ASSERT_EQ(assembler.skip_examples().size(), 2u);
  // The NUL line is seen while the record before it is still open.
  EXPECT_EQ(assembler.skip_examples()[0].line + assembler.skip_examples()[1].line, 5u);
}

}  // namespace
}  // namespace pgsift
