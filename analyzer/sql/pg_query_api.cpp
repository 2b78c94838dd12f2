#include "pg_query_api.h"

#include <pg_query.h>
#include <pthread.h>

#include <algorithm>

#include "pgsift/shape_key.h"

namespace pgsift::sql {
namespace {

#if defined(__SANITIZE_ADDRESS__)
#define PGSIFT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PGSIFT_ASAN 1
#endif
#endif

// Stack one unit of EstimateParserLoad may take in libpg_query's recursive
// walkers and ours over the JSON tree: measured about 170 bytes per unit for
// pg_query_fingerprint (a 20k-term `+ 1` chain fits in 8 MiB, 30k does not),
// taken with a wide margin; AddressSanitizer's redzones make frames larger.
#ifdef PGSIFT_ASAN
constexpr uint64_t kStackBytesPerUnit = 2048;
#else
constexpr uint64_t kStackBytesPerUnit = 1024;
#endif
constexpr uint64_t kStackReserve = 256 << 10;  // for the callers' own frames

// Lowest usable address of this thread's stack (stacks grow down on every
// platform we build for), looked up once per thread.
const char* StackLow() {
  thread_local const char* low = [] {
    pthread_attr_t attr;
    void* addr = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return static_cast<const char*>(nullptr);
    if (pthread_attr_getstack(&attr, &addr, &size) != 0) addr = nullptr;
    pthread_attr_destroy(&attr);
    return static_cast<const char*>(addr);
  }();
  return low;
}

// The reason libpg_query must not see `sql`, or "".
std::string Refusal(std::string_view sql, bool plpgsql) {
  ParserLoad load = EstimateParserLoad(sql);
  if (plpgsql) {
    // The function bodies, lexed as PL/pgSQL (blocks nest, statements are
    // siblings).
    ShapeKey shape;
    BuildShapeKey(sql, /*layout_exact=*/false, &shape);
    for (const Literal& lit : shape.literals) {
      if (lit.kind != LiteralKind::kDollar) continue;
      std::string_view body = sql.substr(lit.begin, lit.end - lit.begin);
      size_t tag = body.find('$', 1) + 1;
      if (body.size() < 2 * tag) continue;
      ParserLoad inner = EstimateParserLoad(body.substr(tag, body.size() - 2 * tag), /*plpgsql_body=*/true);
      load.depth = std::max(load.depth, inner.depth);
    }
  }
  if (load.operator_run_cost > kMaxOperatorRunCost) {
    return "statement not parsed: its runs of operator characters (like /*/*/*...) would take the parser "
           "quadratic time";
  }
  uint64_t limit = ParseDepthLimit();
  if (load.depth > limit) {
    return "statement not parsed: nested too deeply (estimated depth " + std::to_string(load.depth) + ", limit " +
           std::to_string(limit) + ")";
  }
  return "";
}

}  // namespace

uint64_t ParseDepthLimit() {
  const char* low = StackLow();
  char here;
  if (low == nullptr || &here <= low) return 0;
  uint64_t left = static_cast<uint64_t>(&here - low);
  if (left <= kStackReserve) return 0;
  return std::min(kMaxParseDepth, (left - kStackReserve) / kStackBytesPerUnit);
}

PgFingerprint PgQueryFingerprint(std::string_view sql) {
  // libpg_query wants a NUL-terminated string; statements may contain NUL
  // bytes from a broken log, which the parser would cut at anyway.
  PgFingerprint out;
  out.error = Refusal(sql, false);
  if (!out.error.empty()) {
    out.refused = true;
    return out;
  }
  std::string text(sql);
  PgQueryFingerprintResult r = pg_query_fingerprint(text.c_str());
  if (r.error != nullptr) {
    out.error = r.error->message != nullptr ? r.error->message : "parse error";
  } else {
    out.ok = true;
    out.value = r.fingerprint;
  }
  pg_query_free_fingerprint_result(r);
  return out;
}

PgNormalized PgQueryNormalize(std::string_view sql) {
  PgNormalized out;
  out.error = Refusal(sql, false);
  if (!out.error.empty()) {
    out.refused = true;
    return out;
  }
  std::string text(sql);
  PgQueryNormalizeResult r = pg_query_normalize(text.c_str());
  if (r.error != nullptr) {
    out.error = r.error->message != nullptr ? r.error->message : "parse error";
  } else if (r.normalized_query != nullptr) {
    out.ok = true;
    out.text = r.normalized_query;
  }
  pg_query_free_normalize_result(r);
  return out;
}

namespace {

// libpg_query's error message and 0-based offset (-1: none).
void TakeError(const PgQueryError& e, const char* fallback, std::string* message, int* offset) {
  *message = e.message != nullptr ? e.message : fallback;
  *offset = e.cursorpos > 0 ? e.cursorpos - 1 : -1;
}

}  // namespace

PgSplit PgQuerySplit(std::string_view sql) {
  PgSplit out;
  // The splitter only scans: no tree, so only the scanner's cost matters.
  if (EstimateParserLoad(sql).operator_run_cost > kMaxOperatorRunCost) {
    out.refused = true;
    out.error =
        "text not split: its runs of operator characters (like /*/*/*...) would take the scanner quadratic time";
    return out;
  }
  std::string text(sql);
  PgQuerySplitResult r = pg_query_split_with_scanner(text.c_str());
  if (r.error != nullptr) {
    TakeError(*r.error, "split error", &out.error, &out.error_offset);
  } else {
    out.ok = true;
    for (int i = 0; i < r.n_stmts; ++i) {
      out.statements.push_back(
          {static_cast<uint32_t>(r.stmts[i]->stmt_location), static_cast<uint32_t>(r.stmts[i]->stmt_len)});
    }
  }
  pg_query_free_split_result(r);
  return out;
}

PgParse PgQueryParseJson(std::string_view sql) {
  PgParse out;
  out.error = Refusal(sql, false);
  if (!out.error.empty()) {
    out.refused = true;
    out.error_offset = -1;
    return out;
  }
  std::string text(sql);
  PgQueryParseResult r = pg_query_parse(text.c_str());
  if (r.error != nullptr) {
    TakeError(*r.error, "parse error", &out.error, &out.error_offset);
  } else {
    out.ok = true;
    out.json = r.parse_tree != nullptr ? r.parse_tree : "";
  }
  pg_query_free_parse_result(r);
  return out;
}

PgParse PgQueryParsePlpgsqlJson(std::string_view sql) {
  PgParse out;
  out.error = Refusal(sql, true);
  if (!out.error.empty()) {
    out.refused = true;
    out.error_offset = -1;
    return out;
  }
  std::string text(sql);
  PgQueryPlpgsqlParseResult r = pg_query_parse_plpgsql(text.c_str());
  if (r.error != nullptr) {
    TakeError(*r.error, "parse error", &out.error, &out.error_offset);
  } else {
    out.ok = true;
    out.json = r.plpgsql_funcs != nullptr ? r.plpgsql_funcs : "";
  }
  pg_query_free_plpgsql_parse_result(r);
  return out;
}

}  // namespace pgsift::sql
