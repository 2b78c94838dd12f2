// The fingerprint fast path against libpg_query: on every input libpg_query
// parses, the cached Fingerprinter gives the very same fingerprint (the cache
// lives across inputs, so mutated literals of an earlier shape take the
// cached path).
// fuzz-seeds: fixtures/pg_query/fingerprint_15-4.0.0.jsonl jsonl-query
// fuzz-seeds: fixtures/pg_query/normalize_15-4.0.0.jsonl jsonl-query
// fuzz-seeds: fixtures/pg_query/regress_golden_15-4.0.0.jsonl.gz jsonl-query
// fuzz-seeds: fixtures/fuzz/fingerprint_fuzz/* whole
#include <cstring>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql = pgsift::fuzz::View(data, size);
  // libpg_query reads a C string: NUL bytes never reach it (the readers skip
  // such records), and longer statements are fingerprinted truncated.
  if (std::memchr(sql.data(), '\0', sql.size()) != nullptr) return 0;
  const pgsift::Shape& shape = pgsift::fuzz::SharedFingerprinter().Fingerprint(sql);
  if (shape.overflow || shape.truncated) return 0;
  pgsift::ExactFingerprint exact = pgsift::FingerprintWithLibpgQuery(sql);
  // Refused (runs of "/*" libpg_query would scan in quadratic time): the
  // cache may still answer from a key without those comments, rightly.
  if (!exact.refused && exact.ok != !shape.fallback) __builtin_trap();
  if (exact.ok && exact.fingerprint != shape.fingerprint) __builtin_trap();
  return 0;
}
