// The jsonlog fast path: a strict scanner for the flat objects PostgreSQL
// writes (see jsonlog_scan.h). It accepts a line only when it is sure the line
// is valid JSON and knows exactly what simdjson's DOM would make of it;
// everything else (whitespace, nesting, escapes in keys, non-integer or
// out-of-range numbers, "-0", lone surrogates, invalid UTF-8...) is declined.
#include "jsonlog_scan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <bit>
#include <cstring>

namespace pgsift::input_internal {

int JsonLogKeyIndex(std::string_view key) {
  // By length first: one or two comparisons of known size per key.
  switch (key.size()) {
    case 3:
      return key == "pid" ? kJsonPid : -1;
    case 4:
      return key == "user" ? kJsonUser : -1;
    case 6:
      if (key == "dbname") return kJsonDbname;
      return key == "detail" ? kJsonDetail : -1;
    case 7:
      return key == "message" ? kJsonMessage : -1;
    case 8:
      return key == "query_id" ? kJsonQueryId : -1;
    case 9:
      if (key == "timestamp") return kJsonTimestamp;
      return key == "statement" ? kJsonStatement : -1;
    case 10:
      if (key == "session_id") return kJsonSessionId;
      return key == "state_code" ? kJsonStateCode : -1;
    case 11:
      if (key == "remote_host") return kJsonRemoteHost;
      return key == "remote_port" ? kJsonRemotePort : -1;
    case 14:
      return key == "error_severity" ? kJsonErrorSeverity : -1;
    case 16:
      return key == "application_name" ? kJsonApplicationName : -1;
    default:
      return -1;
  }
}

namespace {

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighs = 0x8080808080808080ULL;

// Bit 7 of the first byte of `w` (in memory order) that is '"', '\\' or a
// control character is set, and no bit of an earlier byte (bits of later
// bytes may be set too); zero when there is none.
inline uint64_t SpecialBytes(uint64_t w) {
  uint64_t quote = w ^ (kOnes * '"');
  uint64_t backslash = w ^ (kOnes * '\\');
  return ((quote - kOnes) & ~quote & kHighs) | ((backslash - kOnes) & ~backslash & kHighs) |
         ((w - kOnes * 0x20) & ~w & kHighs);
}

inline bool IsSpecial(unsigned char c) { return c == '"' || c == '\\' || c < 0x20; }

// The first '"', '\\' or control character in [p, end), or end: 16 bytes
// at a time with SSE2 (every x86-64), then 8 at a time, then bytewise.
inline const char* SkipPlain(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i control = _mm_set1_epi8(0x1F);
  while (end - p >= 16) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                                _mm_cmpeq_epi8(_mm_min_epu8(x, control), x));  // x <= 0x1F
    auto mask = static_cast<unsigned>(_mm_movemask_epi8(hits));
    if (mask != 0) return p + std::countr_zero(mask);
    p += 16;
  }
#endif
  if constexpr (std::endian::native == std::endian::little) {
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      uint64_t m = SpecialBytes(w);
      if (m != 0) return p + (std::countr_zero(m) >> 3);
      p += 8;
    }
  }
  while (p < end && !IsSpecial(static_cast<unsigned char>(*p))) ++p;
  return p;
}

// Four hex digits at p (the caller checked there are four bytes), or -1.
int Hex4(const char* p) {
  int v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = p[i];
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return -1;
    }
    v = v * 16 + d;
  }
  return v;
}

// Writes at *o, which moves past what was written.
void AppendUtf8(uint32_t cp, char** o) {
  if (cp < 0x80) {
    *(*o)++ = (static_cast<char>(cp));
  } else if (cp < 0x800) {
    *(*o)++ = (static_cast<char>(0xC0 | (cp >> 6)));
    *(*o)++ = (static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    *(*o)++ = (static_cast<char>(0xE0 | (cp >> 12)));
    *(*o)++ = (static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    *(*o)++ = (static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    *(*o)++ = (static_cast<char>(0xF0 | (cp >> 18)));
    *(*o)++ = (static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    *(*o)++ = (static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    *(*o)++ = (static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The escape sequence at *pp ('\\' first) written at *o (never more bytes
// than the sequence); *pp and *o move past it.
// False for an invalid escape and for lone or reversed surrogates.
bool Unescape(const char** pp, const char* end, char** o) {
  const char* p = *pp;
  if (end - p < 2) return false;
  char c;
  switch (p[1]) {
    case '"':
    case '\\':
    case '/':
      c = p[1];
      break;
    case 'b':
      c = '\b';
      break;
    case 'f':
      c = '\f';
      break;
    case 'n':
      c = '\n';
      break;
    case 'r':
      c = '\r';
      break;
    case 't':
      c = '\t';
      break;
    case 'u': {
      if (end - p < 6) return false;
      int cp = Hex4(p + 2);
      if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) return false;
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (end - p < 12 || p[6] != '\\' || p[7] != 'u') return false;
        int low = Hex4(p + 8);
        if (low < 0xDC00 || low > 0xDFFF) return false;
        AppendUtf8(0x10000 + ((static_cast<uint32_t>(cp) - 0xD800) << 10) + (static_cast<uint32_t>(low) - 0xDC00), o);
        *pp = p + 12;
        return true;
      }
      AppendUtf8(static_cast<uint32_t>(cp), o);
      *pp = p + 6;
      return true;
    }
    default:
      return false;
  }
  *(*o)++ = c;
  *pp = p + 2;
  return true;
}

// The end of the integer at p, where a ',' or '}' must follow, or nullptr:
// the integers simdjson's DOM stores as int64 or uint64 and to_chars prints
// back as the same text. Declines fractions, exponents, "-0" and integers
// out of range.
const char* IntegerEnd(const char* p, const char* end) {
  bool negative = *p == '-';
  if (negative) ++p;
  if (p == end) return nullptr;
  const char* digits = p;
  if (*p == '0') {
    ++p;
  } else if (*p >= '1' && *p <= '9') {
    while (end - p >= 8) {  // eight digits at a time
      uint64_t w;
      std::memcpy(&w, p, 8);
      constexpr uint64_t kHighNibbles = 0xF0F0F0F0F0F0F0F0ULL;
      if ((w & kHighNibbles) != kOnes * 0x30 || ((w + kOnes * 6) & kHighNibbles) != kOnes * 0x30) break;
      p += 8;
    }
    while (p < end && *p >= '0' && *p <= '9') ++p;
  } else {
    return nullptr;
  }
  if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) return nullptr;
  if (negative && p - digits == 1 && *digits == '0') return nullptr;  // -0
  // Same-length digit strings compare as numbers do.
  size_t n = static_cast<size_t>(p - digits);
  std::string_view d(digits, n);
  if (negative ? (n > 19 || (n == 19 && d > "9223372036854775808"))
               : (n > 20 || (n == 20 && d > "18446744073709551615"))) {
    return nullptr;
  }
  return p;
}

}  // namespace

bool JsonLogScanner::ScanString(const char** pp, const char* end, int key, std::string_view* out) {
  const char* start = *pp + 1;
  const char* p = SkipPlain(start, end);
  if (p == end) return false;
  if (*p == '"') {
    *out = std::string_view(start, static_cast<size_t>(p - start));
    *pp = p + 1;
    return true;
  }
  if (*p != '\\') return false;  // an unescaped control character
  // The unescaped value is never longer than the rest of the line.
  std::string& buf = unescaped_[key >= 0 ? static_cast<size_t>(key) : static_cast<size_t>(kJsonKeyCount)];
  if (buf.size() < static_cast<size_t>(end - start)) buf.resize(static_cast<size_t>(end - start));
  char* o = buf.data();
  std::memcpy(o, start, static_cast<size_t>(p - start));
  o += p - start;
  for (;;) {
    if (!Unescape(&p, end, &o)) return false;
    const char* q = SkipPlain(p, end);
    std::memcpy(o, p, static_cast<size_t>(q - p));
    o += q - p;
    p = q;
    if (p == end) return false;
    if (*p == '"') break;
    if (*p != '\\') return false;
  }
  *out = std::string_view(buf.data(), static_cast<size_t>(o - buf.data()));
  *pp = p + 1;
  return true;
}

// The line is classified in one pass (quotes, backslashes, control and
// non-ASCII bytes), then walked quote to quote: a string without a backslash
// ends at the next quote; one with a backslash goes through ScanString. Every
// byte outside strings is looked at by the walk itself, so the line is
// checked whole; UTF-8 is checked only when a byte is not ASCII.
bool JsonLogScanner::Scan(std::string_view line, JsonLogFields* out) {
  const size_t n = line.size();
  if (n < 2 || line[0] != '{') return false;
  const ByteFlags lc = bits_.Find(line);
  if (lc.control) return false;  // whitespace between tokens, or raw in a string: both declined
  const char* s = line.data();
  const char* end = s + n;
  out->values.fill({});
  out->has_port = false;
  BitCursor quotes(bits_.a(), n);
  size_t i = 1;
  if (s[1] == '}') {
    i = 2;
  } else {
    for (;;) {
      // Every byte since the last quote taken was looked at: the next quote
      // is the key's opening one when s[i] is a quote.
      if (i >= n || s[i] != '"' || quotes.Next() != i) return false;
      size_t key_close = quotes.Next();
      if (key_close == n) return false;
      if (lc.any_b && AnyBit(bits_.b(), i + 1, key_close)) return false;  // escapes in keys: declined
      int key = JsonLogKeyIndex(std::string_view(s + i + 1, key_close - i - 1));
      i = key_close + 1;
      if (i >= n || s[i] != ':') return false;
      ++i;
      if (i == n) return false;
      const char* p = s + i;
      switch (*p) {
        case '"': {
          quotes.Next();  // this one, at i
          size_t close = quotes.Next();
          if (close == n) return false;
          if (lc.any_b && AnyBit(bits_.b(), i + 1, close)) {
            const char* q = p;
            std::string_view value;
            if (!ScanString(&q, end, key, &value)) return false;
            if (key >= 0) out->values[static_cast<size_t>(key)] = value;
            i = static_cast<size_t>(q - s);
            quotes.Seek(i);
          } else {
            if (key >= 0) out->values[static_cast<size_t>(key)] = std::string_view(p + 1, close - i - 1);
            i = close + 1;
          }
          if (key == kJsonRemotePort) out->has_port = true;
          break;
        }
        case 'n':
          if (end - p < 4 || std::memcmp(p, "null", 4) != 0) return false;
          i += 4;
          if (key >= 0) out->values[static_cast<size_t>(key)] = {};
          break;
        case 't':  // booleans leave an earlier value of the key
          if (end - p < 4 || std::memcmp(p, "true", 4) != 0) return false;
          i += 4;
          break;
        case 'f':
          if (end - p < 5 || std::memcmp(p, "false", 5) != 0) return false;
          i += 5;
          break;
        default: {
          if (*p != '-' && (*p < '0' || *p > '9')) return false;  // objects, arrays, whitespace
          const char* q = IntegerEnd(p, end);
          if (q == nullptr) return false;
          if (key >= 0) out->values[static_cast<size_t>(key)] = std::string_view(p, static_cast<size_t>(q - p));
          if (key == kJsonRemotePort) out->has_port = true;
          i = static_cast<size_t>(q - s);
          break;
        }
      }
      if (i >= n) return false;
      if (s[i] == ',') {
        ++i;
        continue;
      }
      if (s[i] != '}') return false;
      ++i;
      break;
    }
  }
  if (i != n) return false;
  return !lc.high || JsonLogValidUtf8(line);
}

}  // namespace pgsift::input_internal
