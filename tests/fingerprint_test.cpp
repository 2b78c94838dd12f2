#include "pgsift/fingerprint.h"

#include <gtest/gtest.h>

#include <string>

#include "pgsift/shape_key.h"
#include "test_util.h"

namespace pgsift {
namespace {

using testing::Fixture;
using testing::ReadJsonLines;

TEST(FingerprintGolden, AllUpstreamFingerprintCasesBothModes) {
  auto cases = ReadJsonLines(Fixture("pg_query/fingerprint_15-4.0.0.jsonl"));
  ASSERT_EQ(cases.size(), 78u);
  for (auto mode : {Fingerprinter::KeyMode::kShape, Fingerprinter::KeyMode::kLayout}) {
    Fingerprinter fp(mode);
    for (const auto& c : cases) {
      const Shape& s = fp.Fingerprint(c["input"].get<std::string>());
      EXPECT_FALSE(s.fallback) << c["input"];
      EXPECT_EQ(FingerprintHex(s.fingerprint), c["fingerprint"].get<std::string>()) << c["input"];
    }
    // The golden set has cases that differ only in literals: some must hit.
    EXPECT_GT(fp.stats().cache_hits, 0u);
  }
}

TEST(FingerprintGolden, AllUpstreamNormalizeCases) {
  auto cases = ReadJsonLines(Fixture("pg_query/normalize_15-4.0.0.jsonl"));
  ASSERT_EQ(cases.size(), 22u);
  Fingerprinter fp(Fingerprinter::KeyMode::kLayout);
  for (const auto& c : cases) {
    // libpg_query's normalization, with what it leaves of values removed.
    EXPECT_EQ(fp.Fingerprint(c["input"].get<std::string>()).normalized,
              sql::DisplayText(c["normalized"].get<std::string>()));
  }
}

// Builds a copy of `sql` with every literal our lexer finds changed to
// another value of the same kind.
std::string ChangeLiterals(const std::string& sql) {
  sql::ShapeKey sk;
  sql::BuildShapeKey(sql, false, &sk);
  std::string out;
  size_t pos = 0;
  for (const auto& lit : sk.literals) {
    out.append(sql, pos, lit.begin - pos);
    std::string text = sql.substr(lit.begin, lit.end - lit.begin);
    switch (lit.kind) {
      case sql::LiteralKind::kInt: out += text == "3" ? "4" : "3"; break;
      case sql::LiteralKind::kString: out += text == "'zz'" ? "'yy'" : "'zz'"; break;
      case sql::LiteralKind::kNumeric: out += text.find('.') != std::string::npos ? "0.25" : "77777777777"; break;
      case sql::LiteralKind::kBool: out += (text.size() == 4 ? "false" : "true"); break;
      default: out += text; break;
    }
    pos = lit.end;
  }
  out.append(sql, pos, std::string::npos);
  return out;
}

// The proof that the cached path never disagrees with libpg_query: the whole
// regression corpus, each statement followed by a copy with other literal
// values (which takes the cached path whenever the key was verified).
TEST(FingerprintGolden, RegressCorpusThroughCacheMatchesLibpgQuery) {
  auto rows = ReadJsonLines(Fixture("pg_query/regress_golden_15-4.0.0.jsonl.gz"));
  ASSERT_EQ(rows.size(), 40220u);
  Fingerprinter fp(Fingerprinter::KeyMode::kShape);
  size_t parseable = 0, mismatches = 0, variants_checked = 0;
  for (const auto& r : rows) {
    if (r["fingerprint"].is_null()) continue;
    ++parseable;
    std::string input = r["input"].get<std::string>();
    const Shape& s = fp.Fingerprint(input);
    if (s.fallback || FingerprintHex(s.fingerprint) != r["fingerprint"].get<std::string>()) {
      if (++mismatches < 10) ADD_FAILURE() << "golden mismatch: " << input;
    }
    std::string changed = ChangeLiterals(input);
    if (changed == input) continue;
    ExactFingerprint exact = FingerprintWithLibpgQuery(changed);
    if (!exact.ok) continue;  // e.g. a value the server would reject at parse time
    ++variants_checked;
    const Shape& v = fp.Fingerprint(changed);
    if (v.fallback || v.fingerprint != exact.fingerprint) {
      if (++mismatches < 10) ADD_FAILURE() << "cached path disagrees: " << changed;
    }
  }
  EXPECT_EQ(parseable, 39087u);
  EXPECT_EQ(mismatches, 0u);
  const FingerprintStats& st = fp.stats();
  RecordProperty("cache_hits", std::to_string(st.cache_hits));
  RecordProperty("variants_checked", std::to_string(variants_checked));
  std::printf("regress corpus: %zu statements, %zu literal variants, %llu cache hits, %llu uncacheable keys of %llu\n",
              parseable, variants_checked, static_cast<unsigned long long>(st.cache_hits),
              static_cast<unsigned long long>(st.uncacheable), static_cast<unsigned long long>(st.shapes));
  // Most variants must have been answered by the cache, or the test proves nothing.
  EXPECT_GT(st.cache_hits, variants_checked * 8 / 10);
}

TEST(FingerprintGolden, RegressCorpusNormalizedInLayoutMode) {
  auto rows = ReadJsonLines(Fixture("pg_query/regress_golden_15-4.0.0.jsonl.gz"));
  Fingerprinter fp(Fingerprinter::KeyMode::kLayout);
  size_t mismatches = 0, ambiguous = 0;
  for (const auto& r : rows) {
    if (r["normalized"].is_null()) continue;
    std::string input = r["input"].get<std::string>();
    const Shape& s = fp.Fingerprint(input);
    // A backslash inside '...' whose literals differ under
    // standard_conforming_strings off: masked more widely than libpg_query
    // (which reads them as on), as one region without any quote left.
    sql::ShapeKey on, off;
    sql::BuildShapeKey(input, false, &on);
    sql::BuildShapeKey(input, false, &off, /*backslash_quotes=*/true);
    if (!sql::MaskAmbiguousLiterals(input, on, off).empty()) {
      ++ambiguous;
      EXPECT_EQ(s.normalized.find('\''), std::string::npos) << input << " -> " << s.normalized;
      continue;
    }
    if (s.normalized != sql::DisplayText(r["normalized"].get<std::string>())) {
      if (++mismatches < 5) ADD_FAILURE() << r["input"];
    }
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(fp.stats().ambiguous, ambiguous);
  EXPECT_GT(ambiguous, 0u);
}

TEST(Fingerprint, UnparseableGetsMarkedFallbackWithoutLiterals) {
  Fingerprinter fp;
  const Shape& a = fp.Fingerprint("\\set patient '山田太郎'");
  EXPECT_TRUE(a.fallback);
  EXPECT_FALSE(a.parse_error.empty());
  EXPECT_EQ(a.normalized.find("山田"), std::string::npos);
  const Shape& b = fp.Fingerprint("SELEC * FROM t WHERE id = 42");
  EXPECT_TRUE(b.fallback);
  EXPECT_EQ(b.normalized, "SELEC * FROM t WHERE id = $1");
  // Same shape, other literal: same fallback fingerprint.
  EXPECT_EQ(fp.Fingerprint("SELEC * FROM t WHERE id = 43").fingerprint, b.fingerprint);
  EXPECT_EQ(fp.stats().fallbacks, 3u);
}

// Issue 16 §3: a value never survives normalization, whatever the
// statement kind and whatever standard_conforming_strings the server had.
void ExpectNoValue(const Shape& s, std::string_view input) {
  for (std::string_view v : {"Brien", "山田", "花子", "83917465", "1951", "secret"}) {
    if (input.find(v) == std::string_view::npos) continue;
    EXPECT_EQ(s.normalized.find(v), std::string::npos) << input << "\n -> " << s.normalized;
  }
}

TEST(Fingerprint, BackslashQuotesOfEitherSettingLeaveNoValue) {
  const std::string cases[] = {
      // standard_conforming_strings = off: '\'' is a quote inside the literal.
      "SELECT id FROM patients WHERE name = 'O\\'Brien 山田' AND birth_date = '1951-07-23'",
      "SELECT id FROM patients WHERE name = 'O\\'Brien' OR name = '山田\\'花子'",
      "UPDATE patients SET note = 'a\\\\' WHERE name = 'O\\'Brien' -- 83917465",
      "SELECT 1 FROM patients WHERE name = 'O\\'Brien' /* secret */ AND id = 83917465",
      "SELECT 1 FROM patients WHERE name = 'x\\' -- ' || '山田'\nAND id = 1",
      // E'' strings: backslash escapes under either setting.
      "SELECT id FROM patients WHERE name = E'O\\'Brien 山田' AND birth_date = '1951-07-23'",
      "SELECT id FROM patients WHERE name = e'\\\\' || '山田' || E'\\'secret'",
      // standard_conforming_strings = on: 'C:\' is a whole literal.
      "SELECT id FROM files WHERE path = 'C:\\' AND owner = '山田'",
  };
  for (auto mode : {Fingerprinter::KeyMode::kShape, Fingerprinter::KeyMode::kLayout}) {
    Fingerprinter fp(mode);
    for (const std::string& sql : cases) ExpectNoValue(fp.Fingerprint(sql), sql);
  }
  // The server-side reading is fingerprinted: with the off reading written as
  // E'...', both statements below are one shape, whatever the values.
  Fingerprinter fp;
  const Shape& a =
      fp.Fingerprint("SELECT id FROM patients WHERE name = 'O\\'Brien 山田' AND birth_date = '1951-07-23'");
  const Shape& b = fp.Fingerprint("SELECT id FROM patients WHERE name = 'x\\'y' AND birth_date = '2001-01-01'");
  EXPECT_FALSE(a.fallback);
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_EQ(a.fingerprint,
            FingerprintWithLibpgQuery("SELECT id FROM patients WHERE name = 'a' AND birth_date = 'b'").fingerprint);
  EXPECT_EQ(a.normalized, "SELECT id FROM patients WHERE name = $1");
}

TEST(Fingerprint, ExecuteArgumentsUtilityLiteralsAndCommentsLeaveNoValue) {
  const std::string cases[] = {
      "EXECUTE lookup('山田', 83917465)",
      "/* patient=山田 */ EXECUTE lookup('x') -- 1951-07-23",
      "SELECT 1 /* secret */",
      "COMMENT ON TABLE patients IS '山田 83917465'",
      "SET application_name = 'secret'",
      "PREPARE q AS SELECT * FROM patients WHERE name = '山田'",
      "DECLARE c CURSOR FOR SELECT * FROM patients WHERE id = 83917465",
  };
  for (auto mode : {Fingerprinter::KeyMode::kShape, Fingerprinter::KeyMode::kLayout}) {
    Fingerprinter fp(mode);
    for (const std::string& sql : cases) ExpectNoValue(fp.Fingerprint(sql), sql);
  }
  Fingerprinter fp(Fingerprinter::KeyMode::kLayout);
  EXPECT_EQ(fp.Fingerprint("EXECUTE lookup('山田', 83917465)").normalized, "EXECUTE lookup($1, $2)");
}

TEST(Fingerprint, PinnedLiteralsKeepTheirMeaning) {
  Fingerprinter fp;
  // FETCH's count is not a constant node: it is pinned, not masked.
  auto f1 = fp.Fingerprint("FETCH 1000 FROM cursor_a").fingerprint;
  auto f2 = fp.Fingerprint("FETCH 10 FROM cursor_a").fingerprint;
  EXPECT_EQ(f1, FingerprintWithLibpgQuery("FETCH 1000 FROM cursor_a").fingerprint);
  EXPECT_EQ(f2, FingerprintWithLibpgQuery("FETCH 10 FROM cursor_a").fingerprint);
  auto g1 = fp.Fingerprint("SELECT a, count(*) FROM t GROUP BY 1 ORDER BY 2").fingerprint;
  auto g2 = fp.Fingerprint("SELECT a, count(*) FROM t GROUP BY 2 ORDER BY 1").fingerprint;
  EXPECT_EQ(g1, FingerprintWithLibpgQuery("SELECT a, count(*) FROM t GROUP BY 1 ORDER BY 2").fingerprint);
  EXPECT_EQ(g2, FingerprintWithLibpgQuery("SELECT a, count(*) FROM t GROUP BY 2 ORDER BY 1").fingerprint);
}

TEST(Fingerprint, InlineLiteralsHitTheCache) {
  Fingerprinter fp;
  uint64_t first = fp.Fingerprint("SELECT * FROM patients WHERE id = 1 AND name = 'a'").fingerprint;
  for (int i = 2; i < 100; ++i) {
    std::string q = "SELECT * FROM patients  WHERE id = " + std::to_string(i) + " /* req " + std::to_string(i) +
                    " */ AND name = 'n" + std::to_string(i) + "'";
    EXPECT_EQ(fp.Fingerprint(q).fingerprint, first);
  }
  EXPECT_EQ(fp.stats().cache_hits, 98u);
  EXPECT_LE(fp.stats().parser_calls, 3u);
}

TEST(ShapeKey, LexesLiteralsLikeTheServer) {
  sql::ShapeKey sk;
  std::string q = "SELECT E'a\\'b', 'x''y', $$z$$, $t$q$t$, B'01', X'1F', 12, 1.5, 1e3, 3000000000, $1, true, NULL, a$b";
  sql::BuildShapeKey(q, false, &sk);
  std::string kinds;
  for (const auto& l : sk.literals) kinds.push_back(static_cast<char>(l.kind));
  EXPECT_EQ(kinds, "esddbxiffftz");
  EXPECT_EQ(sk.max_param, 1);
  EXPECT_TRUE(sk.clean);
  sql::BuildShapeKey("SELECT 'a'\n  'b'", false, &sk);
  ASSERT_EQ(sk.literals.size(), 1u);  // continuation across a newline is one literal
  sql::BuildShapeKey("SELECT 'unterminated", false, &sk);
  EXPECT_FALSE(sk.clean);
}

}  // namespace
}  // namespace pgsift

namespace pgsift {
namespace {

TEST(StripComments, DropsCommentsKeepsQuotedText) {
  EXPECT_EQ(sql::StripComments("SELECT $1 /*controller='visits',patient='X'*/"), "SELECT $1");
  EXPECT_EQ(sql::StripComments("/* a /* nested */ b */SELECT 1 -- tail\nFROM t"), "SELECT 1\nFROM t");
  EXPECT_EQ(sql::StripComments("SELECT '/* not */', \"a--b\", $$ -- body $$, $f$/*x*/$f$, $1"),
            "SELECT '/* not */', \"a--b\", $$ -- body $$, $f$/*x*/$f$, $1");
  EXPECT_EQ(sql::StripComments("SELECT E'it\\'s /* kept */' /* gone */"), "SELECT E'it\\'s /* kept */'");
}

TEST(StripComments, AnalysisShapesHaveNoCommentsButFingerprintsStayExact) {
  Fingerprinter fp;
  const Shape& a = fp.Fingerprint("SELECT * FROM patients WHERE id = 7 /*traceparent='00-abc',patient='Yamada'*/");
  EXPECT_EQ(a.normalized, "SELECT * FROM patients WHERE id = $1");
  auto exact = FingerprintWithLibpgQuery("SELECT * FROM patients WHERE id = 7 /*traceparent='00-abc',patient='Yamada'*/");
  ASSERT_TRUE(exact.ok);
  EXPECT_EQ(a.fingerprint, exact.fingerprint);
}

}  // namespace
}  // namespace pgsift

namespace pgsift {
namespace {

TEST(DisplayText, UtilityStatementLiteralsAreMaskedInAnalysisShapes) {
  Fingerprinter fp;
  EXPECT_EQ(fp.Fingerprint("COMMENT ON TABLE patients IS 'Yamada Taro 1970-01-01'").normalized,
            "COMMENT ON TABLE patients IS $1");
  EXPECT_EQ(fp.Fingerprint("SELECT * FROM t WHERE a IS NULL AND b = true AND c = 'x'").normalized,
            "SELECT * FROM t WHERE a IS NULL AND b = $1 AND c = $2");
}

// One query sent with and without its closing ';' has one fingerprint and
// one cached shape; whichever the log holds first (stderr, csvlog and jsonlog
// of one server can hold them in other orders) the text shown is the same.
TEST(DisplayText, TheClosingSemicolonIsNotPartOfTheText) {
  const std::string plain = "SELECT id FROM appointments WHERE doctor_id = 7 LIMIT 12";
  for (bool semicolon_first : {true, false}) {
    Fingerprinter fp;
    const Shape& a = fp.Fingerprint(semicolon_first ? plain + " ;\n" : plain);
    const Shape& b = fp.Fingerprint(semicolon_first ? plain : plain + ";");
    EXPECT_EQ(a.fingerprint, b.fingerprint);
    EXPECT_EQ(a.normalized, "SELECT id FROM appointments WHERE doctor_id = $1 LIMIT $2");
    EXPECT_EQ(b.normalized, a.normalized);
  }
  Fingerprinter fp;
  EXPECT_EQ(fp.Fingerprint("DO $$BEGIN PERFORM 1; END$$;").normalized, "DO $1");
}

}  // namespace
}  // namespace pgsift
