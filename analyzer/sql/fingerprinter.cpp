// Why the cached path is exact.
//
// pg_query_fingerprint ignores the values of A_Const nodes, and
// pg_query_normalize replaces A_Const nodes (plus a few utility-statement
// strings) by $n. Two statements with the same shape key have the same token
// sequence up to literal values, and literal kinds are part of the key (ICONST
// vs FCONST, string vs bit string...), so the grammar builds the same tree for
// both, differing only in the values of the literal tokens. A literal the
// normalizer replaced is therefore a constant whose value the fingerprint
// does not read; to be safe for the utility-statement strings too, we also
// change every replaced literal and check the fingerprint does not move. A
// literal the normalizer left alone (GROUP BY 1, FETCH 100, varchar(20)) may
// matter, so it is pinned: the cache entry only answers for its exact text.
// Whenever our lexer and the normalizer disagree about where literals are,
// the key is marked uncacheable and every statement of it is parsed.
//
// In front of the key cache sits a small direct-mapped cache of exact texts
// (extended-protocol statements repeat their text; so do many simple ones).
// It only remembers texts the key cache answered, and the key cache would
// answer them the same way again (its variants only grow), so it changes
// nothing but the time: a hit is counted as the cache hit it stands for.
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pgsift/fingerprint.h"
#include "pgsift/text_hash.h"
#include "pg_query_api.h"
#include "pgsift/shape_key.h"

namespace pgsift {
namespace {

constexpr size_t kMaxVariantsPerKey = 32;
constexpr size_t kTextSlots = 4096;           // power of two
constexpr size_t kMaxCachedTextBytes = 1024;  // bounds the text cache at 4 MiB

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Parses "$<digits>" at norm[j]; returns its length or 0.
size_t ParamLength(std::string_view norm, size_t j) {
  if (j >= norm.size() || norm[j] != '$') return 0;
  size_t k = j + 1;
  while (k < norm.size() && norm[k] >= '0' && norm[k] <= '9') ++k;
  return k > j + 1 ? k - j : 0;
}

// Lines up our literals with libpg_query's normalized text. On success,
// replaced[k] says whether the normalizer turned literal k into $n.
bool AlignWithNormalized(std::string_view sql, const std::vector<sql::Literal>& lits, std::string_view norm,
                         std::vector<bool>* replaced) {
  replaced->assign(lits.size(), false);
  size_t i = 0, j = 0;
  for (size_t k = 0; k < lits.size(); ++k) {
    const sql::Literal& lit = lits[k];
    std::string_view seg = sql.substr(i, lit.begin - i);
    std::string_view text = sql.substr(lit.begin, lit.end - lit.begin);
    if (norm.compare(j, seg.size(), seg) == 0) {
      j += seg.size();
      if (size_t len = ParamLength(norm, j); len > 0) {
        j += len;
        (*replaced)[k] = true;
      } else if (norm.compare(j, text.size(), text) == 0) {
        j += text.size();
      } else {
        return false;
      }
    } else {
      // A negative number: the parser folds '-' into the constant and the
      // normalizer replaces from the minus sign.
      if (lit.kind != sql::LiteralKind::kInt && lit.kind != sql::LiteralKind::kNumeric) return false;
      size_t m = seg.size();
      while (m > 0 && (seg[m - 1] == ' ' || seg[m - 1] == '\t' || seg[m - 1] == '\n' || seg[m - 1] == '\r')) --m;
      if (m == 0 || seg[m - 1] != '-') return false;
      --m;
      if (norm.compare(j, m, seg.substr(0, m)) != 0) return false;
      size_t len = ParamLength(norm, j + m);
      if (len == 0) return false;
      j += m + len;
      (*replaced)[k] = true;
    }
    i = lit.end;
  }
  return norm.substr(j) == sql.substr(i);
}

// Another value of the same literal kind, different from `text`.
std::string OtherValue(std::string_view text, sql::LiteralKind kind) {
  auto pick = [&](std::string a, std::string b) { return text == a ? b : a; };
  switch (kind) {
    case sql::LiteralKind::kString:
      return pick("'pgsift'", "'pgsifu'");
    case sql::LiteralKind::kEString:
      return std::string(1, text[0]) + pick("'pgsift'", "'pgsifu'");
    case sql::LiteralKind::kNational:
      return std::string(1, text[0]) + pick("'pgsift'", "'pgsifu'");
    case sql::LiteralKind::kDollar:
      return pick("$$pgsift$$", "$$pgsifu$$");
    case sql::LiteralKind::kBit:
      return std::string(1, text[0]) + (text.substr(1) == "'1'" ? "'0'" : "'1'");
    case sql::LiteralKind::kHex:
      return std::string(1, text[0]) + (text.substr(1) == "'1F'" ? "'2E'" : "'1F'");
    case sql::LiteralKind::kInt:
      return pick("7", "8");
    case sql::LiteralKind::kNumeric:
      if (text.find_first_of(".eE") == std::string_view::npos) return pick("9999999999", "8888888888");
      return pick("1.5", "2.5");
    case sql::LiteralKind::kBool:
      return (text.size() == 4) ? "false" : "true";
    case sql::LiteralKind::kNull:
    case sql::LiteralKind::kUnicode:
      return std::string(text);
  }
  return std::string(text);
}

}  // namespace

ExactFingerprint FingerprintWithLibpgQuery(std::string_view sql) {
  sql::PgFingerprint r = sql::PgQueryFingerprint(sql);
  return ExactFingerprint{r.ok, r.value, std::move(r.error), r.refused};
}

struct Fingerprinter::Impl {
  struct Variant {
    std::vector<std::string> pinned;  // exact texts of the pinned literals
    const Shape* shape;
  };
  struct KeyEntry {
    bool cacheable = false;
    std::vector<uint32_t> pinned_idx;
    std::vector<Variant> variants;
  };

  Impl(KeyMode m, ShapeBudget* shared, size_t cap)
      : mode(m), own_budget(shared ? 0 : cap), budget(shared ? shared : &own_budget) {
    cap = budget->max();
    overflow_shape.fingerprint = 0;
    overflow_shape.fallback = true;
    overflow_shape.overflow = true;
    overflow_shape.normalized =
        "(statements of new shapes after the limit of " + std::to_string(cap) + " distinct shapes; raise --max-shapes)";
  }

  // One Shape per fingerprint; in layout mode one per (fingerprint, normalized
  // text), so every layout keeps its own normalization.
  const Shape& ShapeFor(uint64_t fp, bool fallback, std::string_view sql, std::string_view normalized_hint,
                        const std::string& error, bool truncated = false) {
    std::string normalized;
    bool have_normalized = !normalized_hint.empty() || fallback;
    if (have_normalized) normalized = std::string(normalized_hint);
    if (mode == KeyMode::kLayout && !have_normalized) {
      normalized = Normalize(sql);
      have_normalized = true;
    }
    shape_key.assign(reinterpret_cast<const char*>(&fp), sizeof fp);
    shape_key.push_back(truncated ? 't' : fallback ? 'f' : 'p');
    if (mode == KeyMode::kLayout) shape_key += normalized;
    auto it = shapes.find(std::string_view(shape_key));
    if (it != shapes.end()) return *it->second;
    if (!budget->TakeShape()) [[unlikely]] {
      ++stats.overflow;
      return overflow_shape;
    }
    auto shape = std::make_unique<Shape>();
    shape->fingerprint = fp;
    shape->fallback = fallback;
    shape->truncated = truncated;
    shape->parse_error = error;
    shape->normalized = have_normalized ? std::move(normalized) : Normalize(sql);
    // No output ever shows a value: no literal libpg_query left (EXECUTE
    // arguments, utility statements), no comment, in both modes.
    shape->normalized = sql::DisplayText(shape->normalized);
    const Shape* ptr = shape.get();
    shapes.emplace(shape_key, std::move(shape));
    return *ptr;
  }

  std::string Normalize(std::string_view sql) {
    ++stats.parser_calls;
    sql::PgNormalized n = sql::PgQueryNormalize(sql);
    return n.ok ? std::move(n.text) : sql::MaskLiterals(sql, sk);
  }

  // A statement past kMaxStatementBytes: its first kMaxStatementBytes are
  // hashed like an unparseable statement (cut mid-token, libpg_query could
  // not parse it anyway), and the shape is marked truncated.
  const Shape& Truncated(std::string_view sql) {
    ++stats.truncated;
    ++stats.fallbacks;
    std::string_view cut = sql.substr(0, kMaxStatementBytes);
    BuildShapeKey(cut, false, &fallback_sk);
    uint64_t fp = Fnv1a64(fallback_sk.key);
    std::string masked = sql::MaskLiterals(cut, fallback_sk);
    return ShapeFor(fp, true, cut, masked,
                    "statement longer than " + std::to_string(kMaxStatementBytes >> 20) +
                        " MiB: fingerprinted from its first " + std::to_string(kMaxStatementBytes >> 20) + " MiB",
                    true);
  }

  const Shape& Fallback(std::string_view sql, const sql::PgFingerprint& failed) {
    ++stats.fallbacks;
    stats.too_complex += failed.refused;
    const std::string& raw_error = failed.error;
    // "syntax error at or near "'Yamada'"" quotes the input: keep the words
    // before the quote only, so no literal leaks through the message.
    std::string error = raw_error.substr(0, raw_error.find(" at or near"));
    if (size_t q = error.find('"'); q != std::string::npos) error = error.substr(0, q);
    BuildShapeKey(sql, false, &fallback_sk);
    uint64_t fp = Fnv1a64(fallback_sk.key);
    std::string masked = sql::MaskLiterals(sql, fallback_sk);
    return ShapeFor(fp, true, sql, masked, error);
  }

  // First statement of a new key: fingerprint, normalize, verify.
  const Shape& FirstOfKey(std::string_view sql, KeyEntry* entry) {
    ++stats.parser_calls;
    sql::PgFingerprint fp = sql::PgQueryFingerprint(sql);
    if (!fp.ok) return Fallback(sql, fp);
    ++stats.parser_calls;
    sql::PgNormalized norm = sql::PgQueryNormalize(sql);
    std::vector<bool> replaced;
    bool ok = sk.clean && norm.ok && AlignWithNormalized(sql, sk.literals, norm.text, &replaced);
    if (ok) {
      std::string variant;
      size_t pos = 0;
      bool changed = false;
      for (size_t k = 0; k < sk.literals.size(); ++k) {
        if (!replaced[k]) continue;
        const sql::Literal& lit = sk.literals[k];
        variant.append(sql.substr(pos, lit.begin - pos));
        std::string other = OtherValue(sql.substr(lit.begin, lit.end - lit.begin), lit.kind);
        changed |= other != sql.substr(lit.begin, lit.end - lit.begin);
        variant += other;
        pos = lit.end;
      }
      if (changed) {
        variant.append(sql.substr(pos));
        ++stats.parser_calls;
        sql::PgFingerprint fp2 = sql::PgQueryFingerprint(variant);
        ok = fp2.ok && fp2.value == fp.value;
      }
    }
    const Shape& shape = ShapeFor(fp.value, false, sql, norm.ok ? std::string_view(norm.text) : "", "");
    if (!ok) {
      ++stats.uncacheable;
      return shape;
    }
    entry->cacheable = true;
    for (size_t k = 0; k < replaced.size(); ++k) {
      if (!replaced[k]) entry->pinned_idx.push_back(static_cast<uint32_t>(k));
    }
    entry->variants.push_back(Variant{PinnedTexts(sql, *entry), &shape});
    return shape;
  }

  std::vector<std::string> PinnedTexts(std::string_view sql, const KeyEntry& entry) const {
    std::vector<std::string> out;
    out.reserve(entry.pinned_idx.size());
    for (uint32_t k : entry.pinned_idx) {
      const sql::Literal& lit = sk.literals[k];
      out.emplace_back(sql.substr(lit.begin, lit.end - lit.begin));
    }
    return out;
  }

  const Shape& Uncached(std::string_view sql) {
    ++stats.parser_calls;
    sql::PgFingerprint fp = sql::PgQueryFingerprint(sql);
    if (!fp.ok) return Fallback(sql, fp);
    return ShapeFor(fp.value, false, sql, "", "");
  }

  // A backslash inside '...' means different literals under
  // standard_conforming_strings on and off, and the log does not say which
  // the server used. When the two readings differ, the statement is
  // fingerprinted under the first that parses (on, then off written as
  // E'...'), and shown with the whole disputed region as one $n, so no
  // reading can leave a piece of a value outside a placeholder.
  const Shape* Ambiguous(std::string_view sql) {
    BuildShapeKey(sql, false, &sk);
    BuildShapeKey(sql, false, &off_sk, /*backslash_quotes=*/true);
    std::string masked = sql::MaskAmbiguousLiterals(sql, sk, off_sk);
    if (masked.empty()) return nullptr;
    ++stats.ambiguous;
    ++stats.parser_calls;
    sql::PgFingerprint fp = sql::PgQueryFingerprint(sql);
    if (!fp.ok && off_sk.clean) {
      std::string rewritten;
      size_t pos = 0;
      for (const sql::Literal& lit : off_sk.literals) {
        if (lit.kind != sql::LiteralKind::kString) continue;
        std::string_view text = sql.substr(lit.begin, lit.end - lit.begin);
        if (text.find('\\') == std::string_view::npos) continue;
        rewritten.append(sql.substr(pos, lit.begin - pos));
        rewritten.push_back('E');
        pos = lit.begin;
      }
      rewritten.append(sql.substr(pos));
      ++stats.parser_calls;
      fp = sql::PgQueryFingerprint(rewritten);
    }
    if (!fp.ok) {
      ++stats.fallbacks;
      return &ShapeFor(Fnv1a64(sk.key), true, sql, masked,
                       "the statement's string literals depend on standard_conforming_strings and it parses under "
                       "neither setting");
    }
    return &ShapeFor(fp.value, false, sql, masked, "");
  }

  const Shape& Fingerprint(std::string_view sql) {
    ++stats.statements;
    if (sql.size() > kMaxStatementBytes) [[unlikely]]
      return Truncated(sql);
    if (std::memchr(sql.data(), '\\', sql.size()) != nullptr) [[unlikely]] {
      if (const Shape* s = Ambiguous(sql)) return *s;
    }
    TextSlot* slot = nullptr;
    uint64_t text_hash = 0;
    if (sql.size() <= kMaxCachedTextBytes) {
      text_hash = TextHash(sql);
      slot = &text_cache[text_hash & (kTextSlots - 1)];
      if (slot->shape != nullptr && slot->hash == text_hash && slot->text == sql) {
        ++stats.cache_hits;
        return *slot->shape;
      }
    }
    BuildShapeKey(sql, mode == KeyMode::kLayout, &sk);
    auto it = keys.find(std::string_view(sk.key));
    if (it == keys.end()) {
      // Past the cap, new keys are not remembered: each such statement goes
      // to libpg_query, and a new fingerprint lands in the overflow shape.
      if (!budget->TakeKey()) [[unlikely]]
        return Uncached(sql);
      ++stats.shapes;
      it = keys.emplace(sk.key, KeyEntry{}).first;
      return FirstOfKey(sql, &it->second);
    }
    KeyEntry& entry = it->second;
    // An unterminated literal or comment runs to the end of the text, so its
    // key can equal a complete statement's: only libpg_query can answer.
    if (!entry.cacheable || !sk.clean) return Uncached(sql);
    for (const Variant& v : entry.variants) {
      bool match = true;
      for (size_t p = 0; p < entry.pinned_idx.size() && match; ++p) {
        const sql::Literal& lit = sk.literals[entry.pinned_idx[p]];
        match = sql.substr(lit.begin, lit.end - lit.begin) == v.pinned[p];
      }
      if (match) {
        ++stats.cache_hits;
        if (slot != nullptr) {
          slot->hash = text_hash;
          slot->text.assign(sql.data(), sql.size());
          slot->shape = v.shape;
        }
        return *v.shape;
      }
    }
    const Shape& shape = Uncached(sql);
    if (!shape.fallback && entry.variants.size() < kMaxVariantsPerKey) {
      entry.variants.push_back(Variant{PinnedTexts(sql, entry), &shape});
    }
    return shape;
  }

  struct TextSlot {
    uint64_t hash = 0;
    std::string text;
    const Shape* shape = nullptr;
  };

  KeyMode mode;
  ShapeBudget own_budget;
  ShapeBudget* budget;
  std::vector<TextSlot> text_cache = std::vector<TextSlot>(kTextSlots);
  Shape overflow_shape;
  sql::ShapeKey sk;
  sql::ShapeKey off_sk;
  sql::ShapeKey fallback_sk;
  std::unordered_map<std::string, KeyEntry, StringHash, std::equal_to<>> keys;
  std::string shape_key;
  std::unordered_map<std::string, std::unique_ptr<Shape>, StringHash, std::equal_to<>> shapes;
  FingerprintStats stats;
};

Fingerprinter::Fingerprinter(KeyMode mode, size_t max_shapes)
    : impl_(std::make_unique<Impl>(mode, nullptr, max_shapes)) {}
Fingerprinter::Fingerprinter(KeyMode mode, ShapeBudget* budget) : impl_(std::make_unique<Impl>(mode, budget, 0)) {}
Fingerprinter::~Fingerprinter() = default;
const Shape& Fingerprinter::Fingerprint(std::string_view sql) { return impl_->Fingerprint(sql); }
const FingerprintStats& Fingerprinter::stats() const { return impl_->stats; }

}  // namespace pgsift
