// Statement fingerprints, bit-identical to libpg_query 15-4.0.0's
// pg_query_fingerprint, with a cache that makes repeated shapes cheap.
//
// How the cache stays exact: a small lexer turns a statement into a shape key
// (literal tokens masked by kind, comments dropped, whitespace collapsed).
// The first statement of a key is fingerprinted and normalized by libpg_query.
// The key is marked cacheable only when (1) libpg_query's normalizer replaced
// exactly the literals our lexer found, or left a literal alone that we then
// pin by its exact text, and (2) the same statement with every replaced
// literal changed to another value of the same kind fingerprints the same.
// Otherwise every statement of that key goes to libpg_query. See
// analyzer/sql/fingerprinter.cpp for the argument and tests/fingerprint_test.cpp
// for the corpus-wide proof.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "pgsift/format.h"

namespace pgsift {

// One distinct fingerprint. Owned by the Fingerprinter that made it; the
// pointer stays valid for that Fingerprinter's lifetime.
struct Shape {
  uint64_t fingerprint = 0;
  // True when libpg_query could not parse the statement (psql meta-commands,
  // syntax of a newer server, truncated text) or was not given it (nested too
  // deeply, see FingerprintStats::too_complex). The fingerprint is then our
  // own hash of the shape key, and `parse_error` says why.
  bool fallback = false;
  // Normalized text ($n for every literal) of the first statement seen with
  // this fingerprint. Never contains a literal from the input.
  std::string normalized;
  std::string parse_error;
  // The statement was longer than kMaxStatementBytes: fingerprinted (as a
  // fallback) from its first kMaxStatementBytes only.
  bool truncated = false;
  // Not a real shape: the bucket of every statement whose fingerprint was new
  // after the Fingerprinter already held max_shapes shapes.
  bool overflow = false;
};

// Longer statements are fingerprinted from their first this many bytes, so
// a generated 100 MB IN list costs neither a 100 MB parse tree nor minutes.
inline constexpr size_t kMaxStatementBytes = size_t{8} << 20;
// Distinct shapes one Fingerprinter keeps by default (memory: a few hundred
// bytes each in the cache, more in a Workload).
inline constexpr size_t kDefaultMaxShapes = 200000;


struct FingerprintStats {
  uint64_t statements = 0;    // Fingerprint() calls
  uint64_t cache_hits = 0;    // answered without libpg_query
  uint64_t parser_calls = 0;  // calls into libpg_query (any function)
  uint64_t shapes = 0;        // distinct shape keys seen
  uint64_t uncacheable = 0;   // keys that failed the exactness checks
  uint64_t fallbacks = 0;     // statements libpg_query could not parse
  uint64_t truncated = 0;     // statements longer than kMaxStatementBytes
  uint64_t overflow = 0;      // statements counted in the overflow shape
  uint64_t ambiguous = 0;     // literals depend on standard_conforming_strings
  // Statements libpg_query was not given (also counted in fallbacks): nested
  // too deeply for its recursive tree walks, or runs of operator characters
  // its scanner takes quadratic time on. See analyzer/sql/pg_query_api.h.
  uint64_t too_complex = 0;
};

// One cap on distinct shapes shared by the Fingerprinters of a run (one per
// thread), so memory is bounded by the cap, not by the cap times the threads.
// Counts shapes and shape keys (the two maps a Fingerprinter grows) apart,
// each up to `max_shapes`. Thread-safe.
class ShapeBudget {
 public:
  explicit ShapeBudget(size_t max_shapes) : max_(max_shapes) {}
  size_t max() const { return max_; }
  // One more shape (key); false when the cap is reached.
  bool TakeShape() { return Take(&shapes_); }
  bool TakeKey() { return Take(&keys_); }

 private:
  bool Take(std::atomic<size_t>* used) {
    size_t n = used->load(std::memory_order_relaxed);
    while (n < max_) {
      if (used->compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
    }
    return false;
  }
  const size_t max_;
  std::atomic<size_t> shapes_{0};
  std::atomic<size_t> keys_{0};
};

// Not thread-safe: use one per thread and merge results by fingerprint.
class Fingerprinter {
 public:
  enum class KeyMode {
    // Whitespace and comments do not matter: best hit rate, for log analysis.
    // `normalized` is the first-seen text of the fingerprint.
    kShape,
    // Whitespace and comments are part of the key, so `normalized` is
    // pg_query_normalize of the very statement given (for `pgsift
    // fingerprint`), with what it leaves of values (EXECUTE arguments,
    // literals of utility statements, comments) removed as in kShape.
    kLayout,
  };
  // `max_shapes` bounds memory on adversarial input (a million distinct
  // statements): past it, statements of a known fingerprint are still
  // answered, and the others all get the one overflow Shape.
  explicit Fingerprinter(KeyMode mode = KeyMode::kShape, size_t max_shapes = kDefaultMaxShapes);
  // The cap shared with other Fingerprinters; `budget` must outlive this.
  Fingerprinter(KeyMode mode, ShapeBudget* budget);
  ~Fingerprinter();
  Fingerprinter(const Fingerprinter&) = delete;
  Fingerprinter& operator=(const Fingerprinter&) = delete;

  // Never fails: unparseable text gets a fallback Shape.
  const Shape& Fingerprint(std::string_view sql);

  const FingerprintStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Straight to libpg_query, no cache. Thread-safe. For tests and verification.
struct ExactFingerprint {
  bool ok = false;
  uint64_t fingerprint = 0;
  std::string error;
  bool refused = false;  // not given to libpg_query: see FingerprintStats::too_complex
};
ExactFingerprint FingerprintWithLibpgQuery(std::string_view sql);

}  // namespace pgsift
