#include "pgsift/shape_key.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace pgsift::sql {
namespace {

constexpr char kTokenSep = '\x01';
constexpr char kLiteralMark = '\x02';

// Character classes of PostgreSQL 15's scanner, as a table built at compile
// time from the definitions (one load per character on the hot path).
constexpr bool SpaceChar(unsigned c) {
  // space [ \t\n\r\f] (\v is whitespace only from PostgreSQL 16 on).
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
constexpr bool DigitChar(unsigned c) { return c >= '0' && c <= '9'; }
constexpr bool IdentStartChar(unsigned c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
constexpr bool OpChar(unsigned c) {
  for (char op : std::string_view("~!@#^&|`?+-*/%<>=")) {
    if (c == static_cast<unsigned char>(op)) return true;
  }
  return false;
}
enum : uint8_t { kSpace = 1, kDigit = 2, kIdentStart = 4, kIdentCont = 8, kDollarTagCont = 16, kOp = 32 };
constexpr std::array<uint8_t, 256> kClass = [] {
  std::array<uint8_t, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    t[c] = static_cast<uint8_t>((SpaceChar(c) ? kSpace : 0) | (DigitChar(c) ? kDigit : 0) |
                                (IdentStartChar(c) ? kIdentStart : 0) |
                                (IdentStartChar(c) || DigitChar(c) || c == '$' ? kIdentCont : 0) |
                                (IdentStartChar(c) || DigitChar(c) ? kDollarTagCont : 0) | (OpChar(c) ? kOp : 0));
  }
  return t;
}();
inline bool IsSpace(unsigned char c) { return kClass[c] & kSpace; }
inline bool IsDigit(unsigned char c) { return kClass[c] & kDigit; }
inline bool IsIdentStart(unsigned char c) { return kClass[c] & kIdentStart; }
inline bool IsIdentCont(unsigned char c) { return kClass[c] & kIdentCont; }
inline bool IsDollarTagCont(unsigned char c) { return kClass[c] & kDollarTagCont; }
inline bool IsOpChar(unsigned char c) { return kClass[c] & kOp; }

bool EqualsNoCase(std::string_view a, const char* b) {
  size_t n = std::strlen(b);
  if (a.size() != n) return false;
  for (size_t i = 0; i < n; ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

class Lexer {
 public:
  // The key is written through `w`, into out->key sized beforehand for the
  // longest possible key (see BuildShapeKey).
  Lexer(std::string_view s, bool layout, bool backslash_quotes, ShapeKey* out, char* w)
      : s_(s), layout_(layout), backslash_quotes_(backslash_quotes), out_(out), w_(w) {}
  char* written() const { return w_; }

  void Run() {
    size_t n = s_.size();
    while (p_ < n) {
      unsigned char c = s_[p_];
      if (IsSpace(c)) {
        size_t b = p_;
        while (p_ < n && IsSpace(s_[p_])) ++p_;
        if (layout_) Emit(b, p_);
        continue;
      }
      if (c == '-' && p_ + 1 < n && s_[p_ + 1] == '-') {
        size_t b = p_;
        while (p_ < n && s_[p_] != '\n' && s_[p_] != '\r') ++p_;
        out_->last_comment_end = static_cast<uint32_t>(p_);
        if (layout_) Emit(b, p_);
        continue;
      }
      if (c == '/' && p_ + 1 < n && s_[p_ + 1] == '*') {
        size_t b = p_;
        SkipBlockComment();
        out_->last_comment_end = static_cast<uint32_t>(p_);
        if (layout_) Emit(b, p_);
        continue;
      }
      if (c == '\'') {
        LexString(p_, p_, LiteralKind::kString, backslash_quotes_);
        continue;
      }
      if (IsIdentStart(c)) {
        LexIdentOrPrefixed();
        continue;
      }
      if (IsDigit(c) || (c == '.' && p_ + 1 < n && IsDigit(s_[p_ + 1]))) {
        LexNumber();
        continue;
      }
      if (c == '"') {
        LexQuotedIdent(p_);
        continue;
      }
      if (c == '$') {
        LexDollar();
        continue;
      }
      if (IsOpChar(c)) {
        LexOperator();
        continue;
      }
      size_t b = p_++;
      if ((c == ':' && p_ < n && (s_[p_] == ':' || s_[p_] == '=')) || (c == '.' && p_ < n && s_[p_] == '.')) ++p_;
      Emit(b, p_);
    }
  }

 private:
  void Emit(size_t b, size_t e) {
    std::memcpy(w_, s_.data() + b, e - b);
    w_ += e - b;
    *w_++ = kTokenSep;
  }
  void EmitLiteral(size_t b, size_t e, LiteralKind kind) {
    w_[0] = kLiteralMark;
    w_[1] = static_cast<char>(kind);
    w_[2] = kTokenSep;
    w_ += 3;
    out_->literals.push_back(Literal{static_cast<uint32_t>(b), static_cast<uint32_t>(e), kind});
  }

  void SkipBlockComment() {
    size_t n = s_.size();
    int depth = 0;
    while (p_ < n) {
      if (s_[p_] == '/' && p_ + 1 < n && s_[p_ + 1] == '*') {
        ++depth;
        p_ += 2;
        continue;
      }
      if (s_[p_] == '*' && p_ + 1 < n && s_[p_ + 1] == '/') {
        p_ += 2;
        if (--depth == 0) return;
        continue;
      }
      ++p_;
    }
    out_->clean = false;  // unterminated comment
  }

  // A quoted string starting at `quote` (the token itself starts at `begin`,
  // before any E/B/X/N prefix). Handles '' doubling, backslash escapes for
  // E-strings, and the SQL-standard continuation across a newline.
  void LexString(size_t begin, size_t quote, LiteralKind kind, bool backslash) {
    size_t n = s_.size();
    p_ = quote + 1;
    for (;;) {
      while (p_ < n) {
        char c = s_[p_];
        if (backslash && c == '\\') {
          p_ += 2;
          continue;
        }
        if (c == '\'') {
          if (p_ + 1 < n && s_[p_ + 1] == '\'') {
            p_ += 2;
            continue;
          }
          break;
        }
        ++p_;
      }
      if (p_ >= n) {
        p_ = n;
        out_->clean = false;  // unterminated literal
        EmitLiteral(begin, n, kind);
        return;
      }
      ++p_;  // closing quote
      // Continuation: whitespace containing a newline, then another quote.
      size_t q = p_;
      bool newline = false;
      while (q < n) {
        char c = s_[q];
        if (c == '\n' || c == '\r') {
          newline = true;
          ++q;
          continue;
        }
        if (IsSpace(c)) {
          ++q;
          continue;
        }
        if (c == '-' && q + 1 < n && s_[q + 1] == '-' && newline) {
          while (q < n && s_[q] != '\n' && s_[q] != '\r') ++q;
          continue;
        }
        break;
      }
      if (newline && q < n && s_[q] == '\'') {
        p_ = q + 1;
        continue;
      }
      break;
    }
    EmitLiteral(begin, p_, kind);
  }

  void LexIdentOrPrefixed() {
    size_t n = s_.size();
    size_t b = p_;
    unsigned char c = s_[p_];
    if (p_ + 1 < n && s_[p_ + 1] == '\'') {
      switch (c) {
        case 'e':
        case 'E':
          LexString(b, p_ + 1, LiteralKind::kEString, true);
          return;
        case 'b':
        case 'B':
          LexString(b, p_ + 1, LiteralKind::kBit, false);
          return;
        case 'x':
        case 'X':
          LexString(b, p_ + 1, LiteralKind::kHex, false);
          return;
        case 'n':
        case 'N':
          LexString(b, p_ + 1, LiteralKind::kNational, backslash_quotes_);
          return;
        default:
          break;
      }
    }
    if ((c == 'u' || c == 'U') && p_ + 2 < n && s_[p_ + 1] == '&') {
      if (s_[p_ + 2] == '\'') {
        out_->clean = false;  // UESCAPE rules: leave these to libpg_query
        LexString(b, p_ + 2, LiteralKind::kUnicode, false);
        return;
      }
      if (s_[p_ + 2] == '"') {
        LexQuotedIdent(b);
        return;
      }
    }
    while (p_ < n && IsIdentCont(s_[p_])) ++p_;
    std::string_view word = s_.substr(b, p_ - b);
    if (EqualsNoCase(word, "true") || EqualsNoCase(word, "false")) {
      EmitLiteral(b, p_, LiteralKind::kBool);
    } else if (EqualsNoCase(word, "null")) {
      EmitLiteral(b, p_, LiteralKind::kNull);
    } else {
      Emit(b, p_);
    }
  }

  void LexNumber() {
    size_t n = s_.size();
    size_t b = p_;
    bool is_float = false;
    while (p_ < n && IsDigit(s_[p_])) ++p_;
    if (p_ < n && s_[p_] == '.' && !(p_ + 1 < n && s_[p_ + 1] == '.')) {
      is_float = true;
      ++p_;
      while (p_ < n && IsDigit(s_[p_])) ++p_;
    }
    if (p_ < n && (s_[p_] == 'e' || s_[p_] == 'E')) {
      size_t q = p_ + 1;
      if (q < n && (s_[q] == '+' || s_[q] == '-')) ++q;
      if (q < n && IsDigit(s_[q])) {
        is_float = true;
        p_ = q;
        while (p_ < n && IsDigit(s_[p_])) ++p_;
      }
    }
    if (!is_float) {
      // ICONST only when it fits in int32, as the server's scanner decides.
      size_t d = b;
      while (d + 1 < p_ && s_[d] == '0') ++d;
      size_t len = p_ - d;
      is_float = len > 10 || (len == 10 && s_.substr(d, 10) > "2147483647");
    }
    // "3AND", "0x1F", "1e": PostgreSQL 15's scanner (libpg_query 15-4.0.0)
    // rejects trailing junk after a number. The key would equal "3 AND"'s,
    // so such text is left to libpg_query.
    if (p_ < n && IsIdentStart(s_[p_])) out_->clean = false;
    EmitLiteral(b, p_, is_float ? LiteralKind::kNumeric : LiteralKind::kInt);
  }

  void LexQuotedIdent(size_t begin) {
    size_t n = s_.size();
    p_ = s_.find('"', begin) + 1;
    for (;;) {
      while (p_ < n && s_[p_] != '"') ++p_;
      if (p_ >= n) {
        out_->clean = false;
        p_ = n;
        break;
      }
      if (p_ + 1 < n && s_[p_ + 1] == '"') {
        p_ += 2;
        continue;
      }
      ++p_;
      break;
    }
    Emit(begin, p_);
  }

  void LexDollar() {
    size_t n = s_.size();
    size_t b = p_;
    if (p_ + 1 < n && IsDigit(s_[p_ + 1])) {  // parameter $n
      ++p_;
      int v = 0;
      while (p_ < n && IsDigit(s_[p_])) {
        if (v < 100000000) v = v * 10 + (s_[p_] - '0');
        ++p_;
      }
      if (v > out_->max_param) out_->max_param = v;
      Emit(b, p_);
      return;
    }
    size_t q = p_ + 1;
    if (q < n && s_[q] != '$') {
      if (!IsIdentStart(s_[q])) {
        ++p_;
        Emit(b, p_);
        return;
      }
      while (q < n && IsDollarTagCont(s_[q])) ++q;
      if (q >= n || s_[q] != '$') {
        ++p_;
        Emit(b, p_);
        return;
      }
    }
    if (q >= n) {
      ++p_;
      Emit(b, p_);
      return;
    }
    std::string_view tag = s_.substr(b, q + 1 - b);
    size_t close = s_.find(tag, q + 1);
    if (close == std::string_view::npos) {
      out_->clean = false;
      p_ = n;
    } else {
      p_ = close + tag.size();
    }
    EmitLiteral(b, p_, LiteralKind::kDollar);
  }

  void LexOperator() {
    size_t n = s_.size();
    size_t b = p_;
    while (p_ < n && IsOpChar(s_[p_])) {
      if (p_ > b &&
          ((s_[p_] == '-' && p_ + 1 < n && s_[p_ + 1] == '-') || (s_[p_] == '/' && p_ + 1 < n && s_[p_ + 1] == '*'))) {
        break;
      }
      ++p_;
    }
    Emit(b, p_);
  }

  std::string_view s_;
  bool layout_;
  bool backslash_quotes_;
  ShapeKey* out_;
  char* w_;
  size_t p_ = 0;
};

}  // namespace

void BuildShapeKey(std::string_view sql, bool layout_exact, ShapeKey* out, bool backslash_quotes) {
  out->literals.clear();
  out->max_param = 0;
  out->clean = true;
  out->last_comment_end = 0;
  // Every token is at least one character and adds at most two (a separator,
  // or a literal's 3-byte mark for its >= 1 characters): 3 bytes per input
  // byte bound the key.
  out->key.resize(3 * sql.size() + 1);
  Lexer lexer(sql, layout_exact, backslash_quotes, out, out->key.data());
  lexer.Run();
  out->key.resize(static_cast<size_t>(lexer.written() - out->key.data()));
}

std::string MaskLiterals(std::string_view sql, const ShapeKey& shape) {
  std::string out;
  out.reserve(sql.size());
  size_t pos = 0;
  int next = shape.max_param;
  for (const Literal& lit : shape.literals) {
    out.append(sql.substr(pos, lit.begin - pos));
    out.push_back('$');
    out.append(std::to_string(++next));
    pos = lit.end;
  }
  out.append(sql.substr(pos));
  return out;
}

std::string MaskAmbiguousLiterals(std::string_view sql, const ShapeKey& on, const ShapeKey& off) {
  // Both lexers run the same until the first literal they end differently
  // (only a backslash inside '...' can make them differ).
  size_t first = 0;
  while (first < on.literals.size() && first < off.literals.size() &&
         on.literals[first].begin == off.literals[first].begin && on.literals[first].end == off.literals[first].end) {
    ++first;
  }
  if (first == on.literals.size() && first == off.literals.size() && on.clean == off.clean) return "";
  size_t from = sql.size();
  if (first < on.literals.size()) from = std::min<size_t>(from, on.literals[first].begin);
  if (first < off.literals.size()) from = std::min<size_t>(from, off.literals[first].begin);
  // Past every literal and comment of both readings, both are in plain SQL.
  size_t to = std::max(on.last_comment_end, off.last_comment_end);
  for (const ShapeKey* k : {&on, &off}) {
    if (!k->literals.empty()) to = std::max<size_t>(to, k->literals.back().end);
    if (!k->clean) to = sql.size();  // an unterminated literal or comment
  }
  to = std::max(to, from);
  std::string out;
  out.reserve(sql.size());
  size_t pos = 0;
  int next = std::max(on.max_param, off.max_param);
  for (size_t k = 0; k < first; ++k) {
    const Literal& lit = on.literals[k];
    out.append(sql.substr(pos, lit.begin - pos));
    out.push_back('$');
    out.append(std::to_string(++next));
    pos = lit.end;
  }
  out.append(sql.substr(pos, from - pos));
  out.push_back('$');
  out.append(std::to_string(++next));
  out.append(sql.substr(to));
  return out;
}

std::string StripComments(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  auto space = [&out] {
    if (!out.empty() && out.back() != ' ' && out.back() != '\n') out.push_back(' ');
  };
  size_t i = 0, n = sql.size();
  while (i < n) {
    char c = sql[i];
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
      while (!out.empty() && out.back() == ' ') out.pop_back();  // the newline follows
      continue;
    }
    if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      int depth = 0;
      while (i < n) {
        if (sql[i] == '/' && i + 1 < n && sql[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (sql[i] == '*' && i + 1 < n && sql[i + 1] == '/') {
          i += 2;
          if (--depth == 0) break;
        } else {
          ++i;
        }
      }
      space();
      continue;
    }
    if (c == '\'' || c == '"') {
      // E'...' strings may escape a quote with a backslash.
      bool backslash = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e');
      size_t j = i + 1;
      while (j < n) {
        if (backslash && sql[j] == '\\') {
          j += 2;
          continue;
        }
        if (sql[j] == c) {
          if (j + 1 < n && sql[j + 1] == c) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      j = std::min(j + 1, n);
      out.append(sql.substr(i, j - i));
      i = j;
      continue;
    }
    if (c == '$') {
      size_t j = i + 1;
      while (j < n && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) ++j;
      bool tag_ok = j < n && sql[j] == '$' && !(j > i + 1 && std::isdigit(static_cast<unsigned char>(sql[i + 1])));
      if (tag_ok) {  // $$...$$ or $tag$...$tag$; "$1" is a parameter
        std::string_view tag = sql.substr(i, j - i + 1);
        size_t end = sql.find(tag, j + 1);
        size_t stop = end == std::string_view::npos ? n : end + tag.size();
        out.append(sql.substr(i, stop - i));
        i = stop;
        continue;
      }
    }
    out.push_back(c);
    ++i;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  size_t start = 0;
  while (start < out.size() && (out[start] == ' ' || out[start] == '\n')) ++start;
  out.erase(0, start);
  return out;
}

namespace {

std::string DisplayTextOnce(std::string_view normalized, bool check_ambiguous) {
  ShapeKey shape;
  BuildShapeKey(normalized, /*layout_exact=*/false, &shape);
  if (check_ambiguous && normalized.find('\\') != std::string_view::npos) {
    // Literals that depend on standard_conforming_strings: see MaskAmbiguousLiterals.
    ShapeKey off;
    BuildShapeKey(normalized, /*layout_exact=*/false, &off, /*backslash_quotes=*/true);
    std::string masked = MaskAmbiguousLiterals(normalized, shape, off);
    // `masked` has no string literal left: one more pass (without this
    // check) drops comments and masks numbers.
    if (!masked.empty()) return DisplayTextOnce(masked, false);
  }
  if (!shape.clean) return "<statement not shown: it could not be masked>";
  std::erase_if(shape.literals,
                [](const Literal& l) { return l.kind == LiteralKind::kBool || l.kind == LiteralKind::kNull; });
  std::string out = StripComments(shape.literals.empty() ? std::string(normalized) : MaskLiterals(normalized, shape));
  // The closing ';' is the client's, not the statement's (pg_stat_statements
  // keeps none either): "X" and "X;" are one query and show one text, whichever
  // of them a log happens to hold first.
  while (!out.empty() && (out.back() == ';' || out.back() == ' ' || out.back() == '\n' || out.back() == '\t')) {
    out.pop_back();
  }
  return out;
}

}  // namespace

std::string DisplayText(std::string_view normalized) { return DisplayTextOnce(normalized, true); }

}  // namespace pgsift::sql

namespace pgsift::sql {
namespace {

// One bracket (or CASE, or PL/pgSQL block) level of EstimateParserLoad.
struct LoadLevel {
  uint64_t chain = 0;    // set operations and joins at this level
  uint64_t segment = 0;  // tokens since the last comma
  uint64_t inner = 0;    // deepest segment or nested level seen here
  uint64_t bool_mark = UINT64_MAX;
  bool block = false;  // opened by CASE (or BEGIN/IF/LOOP in a PL/pgSQL body)
};

constexpr uint64_t kLevelCost = 2;

bool OneOf(std::string_view word, std::initializer_list<const char*> words) {
  for (const char* w : words) {
    if (EqualsNoCase(word, w)) return true;
  }
  return false;
}

}  // namespace

ParserLoad EstimateParserLoad(std::string_view sql, bool plpgsql_body) {
  ParserLoad load;
  // Runs of operator characters, wherever they are (comments and strings
  // included: an overestimate there only costs a fallback).
  for (size_t i = 0; i < sql.size();) {
    if (!IsOpChar(static_cast<unsigned char>(sql[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < sql.size() && IsOpChar(static_cast<unsigned char>(sql[j]))) ++j;
    uint64_t run = j - i;
    load.operator_run_cost += run * run;
    i = j;
  }

  ShapeKey shape;
  BuildShapeKey(sql, /*layout_exact=*/false, &shape);
  std::vector<LoadLevel> levels(1);
  auto close_level = [&] {
    uint64_t result = levels.back().chain + levels.back().inner + kLevelCost;
    levels.pop_back();
    LoadLevel& parent = levels.back();
    parent.inner = std::max(parent.inner, parent.segment + result);
    ++parent.segment;
  };
  auto finish_statement = [&] {
    while (levels.size() > 1) close_level();
    load.depth = std::max(load.depth, levels[0].chain + levels[0].inner + kLevelCost);
    levels[0] = LoadLevel{};
  };
  bool after_end = false;
  std::string_view key = shape.key;
  size_t pos = 0;
  while (pos < key.size()) {
    size_t sep = key.find(kTokenSep, pos);
    if (sep == std::string_view::npos) sep = key.size();
    std::string_view tok = key.substr(pos, sep - pos);
    pos = sep + 1;
    bool skip_opener = after_end;
    after_end = false;
    LoadLevel* level = &levels.back();
    if (tok == "(" || tok == "[" ||
        (!skip_opener && (EqualsNoCase(tok, "case") || (plpgsql_body && OneOf(tok, {"begin", "if", "loop"}))))) {
      levels.push_back(LoadLevel{});
      levels.back().block = tok != "(" && tok != "[";
      continue;
    }
    if (levels.size() > 1 &&
        ((tok == ")" || tok == "]") ? !level->block : (level->block && EqualsNoCase(tok, "end")))) {
      after_end = tok != ")" && tok != "]";  // END IF, END LOOP, END CASE
      close_level();
      continue;
    }
    if (tok == "," || (tok == ";" && plpgsql_body) ||
        (level->block && OneOf(tok, {"when", "then", "else", "elsif", "elseif", "exception"}))) {
      level->segment = 0;
      level->bool_mark = UINT64_MAX;
      continue;
    }
    if (tok == ";" && levels.size() == 1) {
      finish_statement();
      continue;
    }
    if (OneOf(tok, {"union", "intersect", "except", "join"})) {
      ++level->chain;
      level->segment = 0;
      level->bool_mark = UINT64_MAX;
      continue;
    }
    if (OneOf(tok, {"and", "or"})) {
      if (level->bool_mark == UINT64_MAX) {
        level->bool_mark = level->segment;
      } else {
        level->segment = level->bool_mark;
      }
      continue;
    }
    ++level->segment;
    level->inner = std::max(level->inner, level->segment);
  }
  finish_statement();
  return load;
}

}  // namespace pgsift::sql
