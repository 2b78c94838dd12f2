#include "pgsift/lookup_shape.h"

#include <cctype>

namespace pgsift {
namespace {

// A tiny cursor over normalized SQL: identifiers, keywords, $n, punctuation.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  void Space() {
    for (;;) {
      while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (s_.substr(pos_, 2) == "/*") {
        size_t end = s_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? s_.size() : end + 2;
      } else if (s_.substr(pos_, 2) == "--") {
        size_t end = s_.find('\n', pos_);
        pos_ = end == std::string_view::npos ? s_.size() : end + 1;
      } else {
        return;
      }
    }
  }
  bool Done() {
    Space();
    if (pos_ < s_.size() && s_[pos_] == ';') ++pos_;
    Space();
    return pos_ == s_.size();
  }
  bool Keyword(std::string_view word) {
    Space();
    if (s_.size() - pos_ < word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(s_[pos_ + i])) != word[i]) return false;
    }
    size_t end = pos_ + word.size();
    if (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_')) return false;
    pos_ = end;
    return true;
  }
  bool Char(char c) {
    Space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // A possibly qualified, possibly quoted name: a.b, "A b".c
  bool Name(std::string* out) {
    Space();
    size_t start = pos_;
    for (;;) {
      if (pos_ < s_.size() && s_[pos_] == '"') {
        size_t end = s_.find('"', pos_ + 1);
        if (end == std::string_view::npos) return false;
        pos_ = end + 1;
      } else {
        size_t b = pos_;
        while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' ||
                                    static_cast<unsigned char>(s_[pos_]) >= 0x80)) {
          ++pos_;
        }
        if (pos_ == b || std::isdigit(static_cast<unsigned char>(s_[b]))) return false;
      }
      if (pos_ < s_.size() && s_[pos_] == '.') {
        ++pos_;
        continue;
      }
      break;
    }
    *out = std::string(s_.substr(start, pos_ - start));
    return true;
  }
  bool Param() {
    Space();
    if (pos_ >= s_.size() || s_[pos_] != '$') return false;
    size_t b = ++pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    return pos_ > b;
  }
  // Skips to the top-level keyword `word` (outside parentheses and quotes).
  bool SkipTo(std::string_view word) {
    int depth = 0;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '"' || c == '\'') {
        size_t end = s_.find(c, pos_ + 1);
        if (end == std::string_view::npos) return false;
        pos_ = end + 1;
        continue;
      }
      if (c == '(') ++depth;
      if (c == ')') --depth;
      if (depth == 0 &&
          (pos_ == 0 || !(std::isalnum(static_cast<unsigned char>(s_[pos_ - 1])) || s_[pos_ - 1] == '_'))) {
        size_t save = pos_;
        if (Keyword(word)) {
          pos_ = save;
          return true;
        }
        pos_ = save;
      }
      ++pos_;
    }
    return false;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

bool IsReserved(const std::string& name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* k : {"where", "join", "inner", "left", "right", "full", "cross", "natural", "limit", "order",
                        "group", "on", "using", "lateral", "tablesample", "only"}) {
    if (lower == k) return true;
  }
  return false;
}

}  // namespace

std::optional<KeyLookup> ParseKeyLookup(std::string_view normalized) {
  Cursor c(normalized);
  if (!c.Keyword("select")) return std::nullopt;
  if (!c.SkipTo("from") || !c.Keyword("from")) return std::nullopt;
  KeyLookup out;
  if (!c.Name(&out.table) || IsReserved(out.table)) return std::nullopt;
  if (c.Char(',')) return std::nullopt;  // more than one table
  std::string alias;
  if (c.Keyword("as")) {
    if (!c.Name(&alias) || !c.Keyword("where")) return std::nullopt;
  } else if (!c.Keyword("where")) {
    if (!c.Name(&alias) || IsReserved(alias) || !c.Keyword("where")) return std::nullopt;
  }
  do {
    std::string column;
    bool open = c.Char('(');
    if (!c.Name(&column) || !c.Char('=') || !c.Param()) return std::nullopt;
    if (open && !c.Char(')')) return std::nullopt;
    if (size_t dot = column.rfind('.'); dot != std::string::npos) column.erase(0, dot + 1);
    out.columns.push_back(column);
  } while (c.Keyword("and"));
  if (c.Keyword("limit") && !c.Param()) return std::nullopt;
  if (!c.Done()) return std::nullopt;
  return out;
}

std::string BatchedLookup(std::string_view normalized) {
  auto lookup = ParseKeyLookup(normalized);
  if (!lookup || lookup->columns.size() != 1) return "";
  size_t at = normalized.find("= $1");
  if (at == std::string_view::npos || at != normalized.rfind("= $1")) return "";
  if (normalized.find("$2") != std::string_view::npos || normalized.size() > 150 || normalized.ends_with("..."))
    return "";
  std::string out(normalized);
  out.replace(at, 4, "= ANY($1)");
  return out;
}

bool IsNPlusOneSuspect(int64_t calls, int64_t rows, std::string_view normalized, const SuspectOptions& options) {
  if (calls < options.min_calls || calls <= 0) return false;
  if (static_cast<double>(rows) / static_cast<double>(calls) > options.max_rows_per_call) return false;
  return ParseKeyLookup(normalized).has_value();
}

}  // namespace pgsift
