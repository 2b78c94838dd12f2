// Deep nesting (issue 16 §2): the input is a recipe, not SQL. Its first two
// bytes give a depth (0..65535), the next eight pick, level by level, what
// nests (brackets, subqueries, calls, NOT, operator chains, UNION ALL,
// casts, CASE, nested comments with and without blanks); the rest is the
// innermost SQL. The statement built from it goes through every parser
// entry: the Fingerprinter (both key modes, checked against libpg_query
// where libpg_query answers), the parse-tree functions, migration lint and
// PL/pgSQL bodies. Nothing may crash, overflow the stack or run for long.
// fuzz-seeds: fixtures/fuzz/deep_nesting_fuzz/* whole
#include <cstring>
#include <string>

#include "fuzz_util.h"
#include "pgsift/migration.h"
#include "pgsift/parse_tree.h"
#include "pgsift/shape_key.h"

namespace {

struct Nest {
  const char* open;
  const char* close;
};
constexpr Nest kNests[] = {
    {"(", ")"},
    {"SELECT (", ")"},
    {"abs(", ")"},
    {"NOT ", ""},
    {"", " + 1"},
    {"", " || 'a'"},
    {"", " UNION ALL SELECT 1"},
    {"/*", "*/"},
    {"/* ", " */"},
    {"CASE WHEN true THEN ", " END"},
    {"ARRAY[", "]"},
    {"-", ""},
    {"", "::int"},
    {"(SELECT 1 FROM t JOIN u ON ", ")"},
    {"", " AND x OR y"},
    {"IF true THEN ", " END IF;"},
};
constexpr size_t kNestCount = sizeof kNests / sizeof kNests[0];

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 10) return 0;
  size_t depth = data[0] | (size_t{data[1]} << 8);
  const uint8_t* recipe = data + 2;
  std::string_view core = pgsift::fuzz::View(data + 10, size - 10);
  if (std::memchr(core.data(), '\0', core.size()) != nullptr) return 0;
  std::string open, close;
  for (size_t i = 0; i < depth; ++i) open += kNests[recipe[i % 8] % kNestCount].open;
  for (size_t i = depth; i-- > 0;) close += kNests[recipe[i % 8] % kNestCount].close;
  std::string sql = "SELECT " + open + std::string(core) + close;

  static pgsift::Fingerprinter shape_fp(pgsift::Fingerprinter::KeyMode::kShape, 2000);
  static pgsift::Fingerprinter layout_fp(pgsift::Fingerprinter::KeyMode::kLayout, 2000);
  pgsift::ExactFingerprint exact = pgsift::FingerprintWithLibpgQuery(sql);
  for (pgsift::Fingerprinter* fp : {&shape_fp, &layout_fp}) {
    const pgsift::Shape& s = fp->Fingerprint(sql);
    if (s.overflow || s.truncated) continue;
    // A statement refused for its comments ("/*/*/*...") may still share a
    // cached key with one libpg_query answered: the cache is right then.
    if (!exact.refused && exact.ok != !s.fallback) __builtin_trap();
    if (exact.ok && exact.fingerprint != s.fingerprint) __builtin_trap();
  }
  pgsift::sql::ParseStatements(sql);
  pgsift::sql::SplitAndParse(sql + ";\nSELECT 1;");
  pgsift::sql::StripComments(sql);
  pgsift::sql::DisplayText(sql);
  pgsift::LoadMigration("m.sql", sql + ";\nDROP TABLE t;\n", {});
  std::vector<pgsift::sql::PlpgsqlSql> inner;
  std::string error;
  pgsift::sql::PlpgsqlStatements("BEGIN " + open + "PERFORM 1;" + close + " END", &inner, &error);
  return 0;
}
