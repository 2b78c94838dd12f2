// A log_line_prefix becomes a list of literal and escape elements. Typed
// escapes (%p, %m, %c...) match a fixed character class; free-text escapes
// (%u, %d, %a, %h, %r, %b, %i) end at the next literal, tried lazily with a
// small backtracking budget, so an application name with spaces still works.
#include "pgsift/prefix.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "pgsift/i18n.h"
#include "prefix_internal.h"
#include "pgsift/text.h"

namespace pgsift {

using prefix_internal::Digits;
using prefix_internal::IsAlnum;
using prefix_internal::IsDigit;
using prefix_internal::MatchTimestamp;
using prefix_internal::MatchTyped;

namespace {

// Character classes by table: one load per byte on the hot path.
enum : uint8_t { kClassHex = 1, kClassZone = 2 };  // zone: alnum, '+', '-'
constexpr std::array<uint8_t, 256> kClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    bool digit = c >= '0' && c <= '9', lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z';
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) t[c] |= kClassHex;
    if (digit || lower || upper || c == '+' || c == '-') t[c] |= kClassZone;
  }
  return t;
}();
inline bool IsHex(char c) { return (kClass[static_cast<unsigned char>(c)] & kClassHex) != 0; }
inline bool IsZone(char c) { return (kClass[static_cast<unsigned char>(c)] & kClassZone) != 0; }

// True when all 8 bytes of `w` are ASCII digits (a byte >= 0xFA carries into
// the next, but fails its own test first).
inline bool EightDigits(uint64_t w) {
  return ((w & 0xF0F0F0F0F0F0F0F0ull) | (((w + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) >> 4)) ==
         0x3333333333333333ull;
}

// The word memcpy reads from these 8 bytes, as a constant.
constexpr uint64_t Bytes8(const char (&b)[9]) {
  std::array<char, 8> a{};
  for (size_t i = 0; i < 8; ++i) a[i] = b[i];
  return std::bit_cast<uint64_t>(a);
}

// Number of ASCII digits at s[p..), 8 bytes at a time while 8 remain: a
// byte is a digit when its high nibble is 3 and adding 6 keeps it 3; the
// first byte that is not counts exactly (carries only move to later bytes).
[[gnu::always_inline]] inline size_t DigitRun(std::string_view s, size_t p) {
  size_t q = p;
  if constexpr (std::endian::native == std::endian::little) {
    constexpr uint64_t kHighNibbles = 0xF0F0F0F0F0F0F0F0ull, kThrees = 0x3030303030303030ull;
    constexpr uint64_t kSixes = 0x0606060606060606ull, kLow7 = 0x7F7F7F7F7F7F7F7Full;
    while (q + 8 <= s.size()) {
      uint64_t w;
      std::memcpy(&w, s.data() + q, 8);
      uint64_t x = ((w & kHighNibbles) ^ kThrees) | (((w + kSixes) & kHighNibbles) ^ kThrees);
      uint64_t nonzero = (((x & kLow7) + kLow7) | x) & ~kLow7;  // high bit of each non-digit byte
      if (nonzero != 0) return q - p + static_cast<size_t>(std::countr_zero(nonzero)) / 8;
      q += 8;
    }
  }
  while (q < s.size() && IsDigit(s[q])) ++q;
  return q - p;
}

}  // namespace

size_t prefix_internal::Digits(std::string_view s, size_t p) { return DigitRun(s, p); }

// "YYYY-MM-DD HH:MM:SS" with optional ".fff" (when `millis`) and " TZ".
// The 19 fixed bytes are checked two words at a time: separators compared,
// then replaced by '0' so one digit test covers the rest.
namespace {

[[gnu::always_inline]] inline size_t TimestampAt(std::string_view s, size_t p, bool millis) {
  constexpr size_t n = 19;  // dddd-dd-dd dd:dd:dd
  if (p > s.size() || s.size() - p < n) return 0;
  const char* t = s.data() + p;
  uint64_t a, b;
  std::memcpy(&a, t, 8);
  std::memcpy(&b, t + 8, 8);
  constexpr uint64_t kSepA = Bytes8("\0\0\0\0-\0\0-"), kMaskA = Bytes8("\0\0\0\0\xff\0\0\xff");
  constexpr uint64_t kSepB = Bytes8("\0\0 \0\0:\0\0"), kMaskB = Bytes8("\0\0\xff\0\0\xff\0\0");
  constexpr uint64_t kZeros = 0x3030303030303030ull;
  if (((a ^ kSepA) & kMaskA) != 0 || ((b ^ kSepB) & kMaskB) != 0) return 0;
  if (!EightDigits((a & ~kMaskA) | (kZeros & kMaskA)) || !EightDigits((b & ~kMaskB) | (kZeros & kMaskB))) return 0;
  if (t[16] != ':' || !IsDigit(t[17]) || !IsDigit(t[18])) return 0;
  size_t q = p + n;
  if (millis) {
    if (q >= s.size() || s[q] != '.') return 0;
    size_t d = DigitRun(s, q + 1);
    if (d == 0) return 0;
    q += 1 + d;
  }
  // Time zone abbreviation or offset: " UTC", " CET", " +03", " -0330".
  if (q + 1 < s.size() && s[q] == ' ') {
    size_t r = q + 1;
    while (r < s.size() && IsZone(s[r])) ++r;
    if (r > q + 1) q = r;
  }
  return q - p;
}

}  // namespace

size_t prefix_internal::MatchTimestamp(std::string_view s, size_t p, bool millis) { return TimestampAt(s, p, millis); }

namespace {

bool IsFreeText(char e) { return std::strchr("audhrbi", e) != nullptr; }

// How MatchFast matches an element (LinePrefix::Element::op), so the hot loop
// switches once per element. Typed escapes not listed go through MatchTyped.
enum Op : uint8_t {
  kOpLiteral,
  kOpFreeText,
  kOpQ,
  kOpDigits,   // %p %l %x: one or more digits
  kOpMillis,   // %m
  kOpSession,  // %c: hex '.' hex
  kOpSqlstate,
  kOpTyped,
};

Op OpFor(const LinePrefix::Element& el) {
  if (el.escape == 0) return kOpLiteral;
  if (el.free_text) return kOpFreeText;
  switch (el.escape) {  // padded escapes are free text, handled above
    case 'q':
      return kOpQ;
    case 'p':
    case 'l':
    case 'x':
      return kOpDigits;
    case 'm':
      return kOpMillis;
    case 'c':
      return kOpSession;
    case 'e':
      return kOpSqlstate;
    default:
      return kOpTyped;
  }
}

// %c at s[p]: hex digits, '.', hex digits (the session id); its length or 0.
[[gnu::always_inline]] inline size_t SessionIdAt(std::string_view s, size_t p) {
  size_t q = p;
  while (q < s.size() && IsHex(s[q])) ++q;
  if (q == p || q >= s.size() || s[q] != '.') return 0;
  size_t r = q + 1;
  while (r < s.size() && IsHex(s[r])) ++r;
  return r > q + 1 ? r - p : 0;
}

// %e at s[p]: five digits or upper-case letters (the SQLSTATE); 5 or 0.
[[gnu::always_inline]] inline size_t SqlstateAt(std::string_view s, size_t p) {
  if (p + 5 > s.size()) return 0;
  for (size_t i = 0; i < 5; ++i) {
    char c = s[p + i];
    if (!IsDigit(c) && !(c >= 'A' && c <= 'Z')) return 0;
  }
  return 5;
}

}  // namespace

// Length matched by a typed escape at s[p], or -1.
long prefix_internal::MatchTyped(char e, std::string_view s, size_t p) {
  switch (e) {
    case 'p':
    case 'l':
    case 'x': {
      size_t d = Digits(s, p);
      return d > 0 ? static_cast<long>(d) : -1;
    }
    case 'P':
      return static_cast<long>(Digits(s, p));  // empty unless a parallel worker
    case 'Q': {
      size_t q = p + (p < s.size() && s[p] == '-' ? 1 : 0);
      size_t d = Digits(s, q);
      return d > 0 ? static_cast<long>(q + d - p) : -1;
    }
    case 't':
    case 's': {
      size_t n = MatchTimestamp(s, p, false);
      return n > 0 ? static_cast<long>(n) : -1;
    }
    case 'm': {
      size_t n = MatchTimestamp(s, p, true);
      return n > 0 ? static_cast<long>(n) : -1;
    }
    case 'n': {
      size_t d = Digits(s, p);
      if (d == 0 || p + d >= s.size() || s[p + d] != '.') return -1;
      size_t f = Digits(s, p + d + 1);
      return f > 0 ? static_cast<long>(d + 1 + f) : -1;
    }
    case 'c': {
      size_t n = SessionIdAt(s, p);
      return n > 0 ? static_cast<long>(n) : -1;
    }
    case 'v': {  // "3/1234", or empty outside a transaction context
      size_t d = Digits(s, p);
      if (d == 0) return 0;
      if (p + d >= s.size() || s[p + d] != '/') return -1;
      size_t f = Digits(s, p + d + 1);
      return f > 0 ? static_cast<long>(d + 1 + f) : -1;
    }
    case 'e': {
      size_t n = SqlstateAt(s, p);
      return n > 0 ? static_cast<long>(n) : -1;
    }
    default:
      return -1;
  }
}

namespace {

// How common a character is in rendered prefixes: the anchor of a literal
// is its rarest character, so searching for it stops at few false starts.
int Commonness(char c) {
  if (c == ' ') return 3;
  if (IsAlnum(c)) return 2;
  return 1;
}

size_t AnchorOf(const std::string& literal) {
  size_t best = 0;
  for (size_t i = 1; i < literal.size(); ++i) {
    if (Commonness(literal[i]) < Commonness(literal[best])) best = i;
  }
  return best;
}

inline bool HasAt(std::string_view s, size_t pos, const std::string& literal) {
  if (s.size() - pos < literal.size()) return false;
  for (size_t i = 0; i < literal.size(); ++i) {
    if (s[pos + i] != literal[i]) return false;
  }
  return true;
}

// HasAt for a literal element: two 8-byte compares when 16 bytes of `s`
// remain (the usual case: a prefix is followed by its severity and message).
inline bool HasAt(std::string_view s, size_t pos, const LinePrefix::Element& el) {
  if (el.literal.size() <= 16 && s.size() - pos >= 16) {
    uint64_t a, b;
    std::memcpy(&a, s.data() + pos, 8);
    std::memcpy(&b, s.data() + pos + 8, 8);
    return ((a ^ el.word[0]) & el.mask[0]) == 0 && ((b ^ el.word[1]) & el.mask[1]) == 0;
  }
  return HasAt(s, pos, el.literal);
}

// The word/mask form of a literal element (see LinePrefix::Element).
void SetWords(LinePrefix::Element* el) {
  if (el->literal.size() > 16) return;
  unsigned char bytes[16] = {}, keep[16] = {};
  for (size_t i = 0; i < el->literal.size(); ++i) {
    bytes[i] = static_cast<unsigned char>(el->literal[i]);
    keep[i] = 0xff;
  }
  std::memcpy(el->word, bytes, 16);
  std::memcpy(el->mask, keep, 16);
}

// The LogRecord field each escape fills, resolved once per element.
std::string_view LogRecord::*MemberFor(char escape) {
  switch (escape) {
    case 'a':
      return &LogRecord::application;
    case 'u':
      return &LogRecord::user;
    case 'd':
      return &LogRecord::database;
    case 'h':
    case 'r':
      return &LogRecord::client;
    case 'p':
      return &LogRecord::pid;
    case 'c':
      return &LogRecord::session_id;
    case 'e':
      return &LogRecord::sqlstate;
    case 'Q':
      return &LogRecord::query_id;
    case 't':
    case 'm':
    case 'n':
      return &LogRecord::timestamp;
    default:
      return nullptr;
  }
}

// Field each escape fills in a LogRecord.
std::string_view* FieldFor(char escape, LogRecord* r) {
  std::string_view LogRecord::*m = MemberFor(escape);
  return m != nullptr ? &(r->*m) : nullptr;
}

// The first occurrence of `el.literal` in `s` at or after `from`. Free text
// in a prefix is short (a user, a database), too short for memchr's setup to
// pay: the anchor character is looked for 8 bytes at a time in a word.
size_t FindLiteral(std::string_view s, size_t from, const LinePrefix::Element& el) {
  const unsigned char a = static_cast<unsigned char>(el.literal[el.anchor]);
  const char* base = s.data();
  const size_t n = s.size();
  size_t p = from + el.anchor;
  if constexpr (std::endian::native == std::endian::little) {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
    const uint64_t pattern = kOnes * a;
    while (p + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, base + p, 8);
      uint64_t x = w ^ pattern;                  // a zero byte where the anchor is
      uint64_t hits = (x - kOnes) & ~x & kHigh;  // the lowest set bit is exact
      if (hits == 0) {
        p += 8;
        continue;
      }
      size_t h = p + static_cast<size_t>(std::countr_zero(hits)) / 8;
      if (HasAt(s, h - el.anchor, el)) return h - el.anchor;
      p = h + 1;
    }
  }
  for (; p < n; ++p) {
    if (static_cast<unsigned char>(base[p]) == a && HasAt(s, p - el.anchor, el)) return p - el.anchor;
  }
  return std::string_view::npos;
}

}  // namespace

bool StartsWithSeverity(std::string_view s, size_t* length) {
  // Hot: tried at every candidate position of every line. Read the word up
  // to ':' first (upper-case letters and digits, at most 9), then compare
  // with the severities of that length only.
  // Another lc_messages ("FEHLER:", "詳細:") only when English fails.
  if (s.empty() || s[0] < 'A' || s[0] > 'Z') return i18n::StartsWithTranslatedSeverity(s, length);
  size_t n = 1;
  while (n < s.size() && n < 10 && ((s[n] >= 'A' && s[n] <= 'Z') || IsDigit(s[n]))) ++n;
  if (n >= s.size() || s[n] != ':' || (n + 1 < s.size() && s[n + 1] != ' ')) {
    return i18n::StartsWithTranslatedSeverity(s, length);
  }
  const char* w = s.data();
  auto is = [w](std::string_view sev) { return std::memcmp(w, sev.data(), sev.size()) == 0; };
  bool known = false;
  switch (n) {
    case 3:
      known = is("LOG");
      break;
    case 4:
      known = is("INFO") || is("HINT");
      break;
    case 5:
      known = is("ERROR") || is("FATAL") || is("PANIC") || is("QUERY") || is("DEBUG");
      break;
    case 6:
      known = is("NOTICE") || is("DETAIL") || (std::memcmp(w, "DEBUG", 5) == 0 && w[5] >= '1' && w[5] <= '5');
      break;
    case 7:
      known = is("WARNING") || is("CONTEXT");
      break;
    case 8:
      known = is("LOCATION");
      break;
    case 9:
      known = is("STATEMENT");
      break;
    default:
      break;
  }
  if (!known) return i18n::StartsWithTranslatedSeverity(s, length);
  if (length != nullptr) *length = n;
  return true;
}

Result<LinePrefix> LinePrefix::Compile(std::string_view text) {
  LinePrefix p;
  p.text_ = std::string(text);
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '%') {
      if (p.elements_.empty() || p.elements_.back().escape != 0) p.elements_.push_back(Element{});
      p.elements_.back().literal.push_back(c);
      continue;
    }
    size_t j = i + 1;
    bool padded = false;
    if (j < text.size() && text[j] == '-') ++j, padded = true;
    while (j < text.size() && IsDigit(text[j])) ++j, padded = true;
    if (j >= text.size()) return Err("log_line_prefix ends with a lone '%'");
    char e = text[j];
    i = j;
    if (e == '%') {
      if (p.elements_.empty() || p.elements_.back().escape != 0) p.elements_.push_back(Element{});
      p.elements_.back().literal.push_back('%');
      continue;
    }
    if (std::strchr("audrhbpPtmnieclsvxQq", e) == nullptr) {
      return Err(std::string("log_line_prefix has unknown escape %") + e);
    }
    // A padded value may carry spaces: match it as free text and trim.
    Element el;
    el.escape = padded && e != 'q' ? static_cast<char>(e | 0x80) : e;
    el.free_text = (padded && e != 'q') || IsFreeText(e);
    p.elements_.push_back(std::move(el));
  }
  // The fast matcher walks the elements once; it needs every free-text
  // escape to end at a literal or at the severity, and stays far below
  // MatchFrom's budget (one call per element).
  p.fast_ = p.elements_.size() < 48;
  for (size_t k = 0; k < p.elements_.size(); ++k) {
    Element& el = p.elements_[k];
    if (el.escape == 0) {
      el.anchor = AnchorOf(el.literal);
      SetWords(&el);
    } else {
      el.field = MemberFor(static_cast<char>(el.escape & 0x7f));
    }
    el.op = OpFor(el);
    if (el.free_text && k + 1 < p.elements_.size() && p.elements_[k + 1].escape != 0) p.fast_ = false;
  }
  return p;
}

// MatchFrom's first path, walked without recursion: each free-text escape
// ends at the first occurrence of the literal after it. MatchFrom tries
// exactly that path first, so when it succeeds it is MatchFrom's answer.
// On failure, *sure tells whether MatchFrom would fail too (no free-text
// escape had been passed, so there was no other path to try).
bool LinePrefix::MatchFast(std::string_view line, LogRecord* rec, bool* sure) const {
  *sure = true;
  const char* s = line.data();
  const size_t size = line.size();
  size_t pos = 0;
  size_t sev_len = 0;
  const size_t count = elements_.size();
  for (size_t k = 0; k < count; ++k) {
    const Element& el = elements_[k];
    size_t len = 0;  // of a typed escape's value at pos
    switch (el.op) {
      case kOpLiteral:
        if (!HasAt(line, pos, el)) return false;
        pos += el.literal.size();
        continue;
      case kOpQ:
        if (StartsWithSeverity(line.substr(pos), &sev_len)) {
          for (size_t j = k + 1; j < count; ++j) {
            if (elements_[j].field != nullptr) rec->*elements_[j].field = {};
          }
          k = count;  // the severity follows
        }
        continue;
      case kOpFreeText: {
        size_t end = std::string_view::npos;
        if (k + 1 < count) {
          end = FindLiteral(line, pos, elements_[k + 1]);
        } else {
          for (size_t q = pos; q < size; ++q) {
            if (StartsWithSeverity(line.substr(q))) {
              end = q;
              break;
            }
          }
        }
        if (end == std::string_view::npos) return false;
        *sure = false;  // a later end might have matched
        if (el.field != nullptr) {
          rec->*el.field = (el.escape & 0x80) ? Trim(line.substr(pos, end - pos), " ") : line.substr(pos, end - pos);
        }
        pos = end;
        if (k + 1 < count) pos += elements_[++k].literal.size();  // FindLiteral matched it
        continue;
      }
      case kOpDigits:
        len = DigitRun(line, pos);
        if (len == 0) return false;
        break;
      case kOpMillis:
        len = TimestampAt(line, pos, true);
        if (len == 0) return false;
        break;
      case kOpSession:
        len = SessionIdAt(line, pos);
        if (len == 0) return false;
        break;
      case kOpSqlstate:
        len = SqlstateAt(line, pos);
        if (len == 0) return false;
        break;
      default: {
        long n = MatchTyped(static_cast<char>(el.escape & 0x7f), line, pos);
        if (n < 0) return false;
        len = static_cast<size_t>(n);
        break;
      }
    }
    if (el.field != nullptr) rec->*el.field = std::string_view(s + pos, len);
    pos += len;
  }
  if (sev_len == 0 && !StartsWithSeverity(line.substr(pos), &sev_len)) return false;
  rec->severity = std::string_view(s + pos, sev_len);
  size_t m = pos + sev_len + 1;
  while (m < size && s[m] == ' ') ++m;
  rec->message = line.substr(m);
  return true;
}

bool LinePrefix::MatchFrom(size_t elem, std::string_view line, size_t pos, LogRecord* rec, int* budget,
                           size_t* fail_elem, size_t* fail_pos) const {
  if (--*budget < 0) return false;
  auto fail = [&]() {
    if (elem > *fail_elem || (elem == *fail_elem && pos > *fail_pos)) *fail_elem = elem, *fail_pos = pos;
    return false;
  };
  if (elem == elements_.size()) {
    size_t sev_len = 0;
    if (!StartsWithSeverity(line.substr(pos), &sev_len)) return fail();
    rec->severity = line.substr(pos, sev_len);
    size_t m = pos + sev_len + 1;
    while (m < line.size() && line[m] == ' ') ++m;
    rec->message = line.substr(m);
    return true;
  }
  const Element& el = elements_[elem];
  if (el.escape == 0) {
    if (!HasAt(line, pos, el)) return fail();
    return MatchFrom(elem + 1, line, pos + el.literal.size(), rec, budget, fail_elem, fail_pos);
  }
  char e = static_cast<char>(el.escape & 0x7f);
  bool padded = (el.escape & 0x80) != 0;
  if (e == 'q') {
    // Non-session processes stop the prefix here.
    if (StartsWithSeverity(line.substr(pos)) &&
        MatchFrom(elements_.size(), line, pos, rec, budget, fail_elem, fail_pos)) {
      for (size_t k = elem + 1; k < elements_.size(); ++k) {
        if (std::string_view* f = FieldFor(static_cast<char>(elements_[k].escape & 0x7f), rec)) *f = {};
      }
      return true;
    }
    return MatchFrom(elem + 1, line, pos, rec, budget, fail_elem, fail_pos);
  }
  std::string_view* field = FieldFor(e, rec);
  if (!el.free_text) {
    long n = MatchTyped(e, line, pos);
    if (n < 0) return fail();
    if (field != nullptr) *field = line.substr(pos, static_cast<size_t>(n));
    return MatchFrom(elem + 1, line, pos + static_cast<size_t>(n), rec, budget, fail_elem, fail_pos);
  }
  // Free text: try each end position where the rest could start.
  const Element* next = elem + 1 < elements_.size() ? &elements_[elem + 1] : nullptr;
  size_t from = pos;
  for (;;) {
    size_t end;
    if (next != nullptr && next->escape == 0) {
      end = FindLiteral(line, from, *next);
    } else if (next == nullptr) {
      end = std::string_view::npos;
      for (size_t q = from; q < line.size(); ++q) {
        if (StartsWithSeverity(line.substr(q))) {
          end = q;
          break;
        }
      }
    } else {
      end = from;  // two escapes in a row: try every split
      if (end > line.size()) end = std::string_view::npos;
    }
    if (end == std::string_view::npos) return fail();
    if (field != nullptr) *field = padded ? Trim(line.substr(pos, end - pos), " ") : line.substr(pos, end - pos);
    if (MatchFrom(elem + 1, line, end, rec, budget, fail_elem, fail_pos)) return true;
    if (*budget < 0) return false;
    from = end + 1;
  }
}

bool LinePrefix::Match(std::string_view line, LogRecord* rec) const {
  if (fast_) {
    bool sure = false;
    if (MatchFast(line, rec, &sure)) return true;
    if (sure) return false;
  }
  int budget = 64;
  size_t fe = 0, fp = 0;
  return MatchFrom(0, line, 0, rec, &budget, &fe, &fp);
}

std::string LinePrefix::Explain(std::string_view line) const {
  LogRecord rec;
  int budget = 64;
  size_t fe = 0, fp = 0;
  if (MatchFrom(0, line, 0, &rec, &budget, &fe, &fp)) return "matches";
  // Position and reason only: none of the line is shown. Even the part
  // before a severity may be statement text (a continuation line that lost
  // its tab, the rest of a statement cut by the reader's record limit).
  bool has_severity = false;
  for (size_t q = 0; q < line.size() && q < 256 && !has_severity; ++q)
    has_severity = StartsWithSeverity(line.substr(q));
  if (!has_severity) {
    return "line has no severity (LOG:, ERROR:, ...) where log_line_prefix '" + text_ +
           "' ends; not shown, as it may hold statement text";
  }
  std::string expected;
  if (fe >= elements_.size()) {
    expected = "a severity such as 'LOG:' after the prefix";
  } else if (elements_[fe].escape == 0) {
    expected = "the text '" + elements_[fe].literal + "'";
  } else {
    expected = std::string("escape %") + static_cast<char>(elements_[fe].escape & 0x7f);
  }
  if (fe > 0 && fe <= elements_.size() && elements_[fe - 1].escape != 0) {
    expected += std::string(" after %") + static_cast<char>(elements_[fe - 1].escape & 0x7f);
  }
  return "log_line_prefix '" + text_ + "' expects " + expected + " at column " + std::to_string(fp + 1) +
         " (line not shown: it may hold statement text)";
}

}  // namespace pgsift
