// RedactServerMessage: error messages grouped without their values. The
// server quotes what it names: identifiers after a word naming their kind
// (relation "x", column "y", constraint "z") are kept, because a DBA needs
// them and they are schema, not data; everything else quoted (input values,
// tokens near a syntax error) and every number is replaced.
#include <algorithm>
#include <array>
#include <cstring>

#include "pgsift/timeline.h"

namespace pgsift {
namespace {

constexpr size_t kMaxBytes = 300;

constexpr std::array<std::string_view, 31> kObjectWords = {
    "relation",  "table",    "column",      "constraint", "index",     "function",   "type",      "schema",
    "database",  "role",     "user",        "sequence",   "view",      "extension",  "trigger",   "operator",
    "tablespace", "publication", "subscription", "collation", "domain", "server",  "policy",    "cursor",
    "statement", "portal",   "savepoint",   "language",   "procedure", "aggregate",  "routine"};

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         (static_cast<unsigned char>(c) & 0x80);
}

// The word right before position `end` of `out` (spaces skipped), lower case.
std::string PreviousWord(const std::string& out) {
  size_t e = out.size();
  while (e > 0 && out[e - 1] == ' ') --e;
  size_t b = e;
  while (b > 0 && IsWordChar(out[b - 1])) --b;
  std::string w = out.substr(b, e - b);
  for (char& c : w) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return w;
}

// Quotation marks other languages' catalogs use, either way round (German
// writes »x«); any of the closers ends a quote opened by any opener.
constexpr std::array<std::string_view, 8> kOpeners = {"\u201c", "\u201d", "\u00ab", "\u00bb", "\u201e", "\u300c", "\u2018", "\u300e"};
constexpr std::array<std::string_view, 8> kClosers = {"\u201d", "\u201c", "\u00bb", "\u00ab", "\u300d", "\u2019", "\u2018", "\u300f"};

size_t StartsWithAny(std::string_view s, const std::array<std::string_view, 8>& marks) {
  for (std::string_view m : marks) {
    if (s.starts_with(m)) return m.size();
  }
  return 0;
}

}  // namespace

std::string RedactServerMessage(std::string_view m) {
  m = m.substr(0, m.find('\n'));
  std::string out;
  size_t i = 0;
  while (i < m.size() && out.size() < kMaxBytes) {
    char c = m[i];
    if (c == '"') {
      size_t close = m.find('"', i + 1);
      std::string word = PreviousWord(out);
      bool keep = close != std::string_view::npos &&
                  std::find(kObjectWords.begin(), kObjectWords.end(), word) != kObjectWords.end();
      out += keep ? std::string(m.substr(i, close + 1 - i)) : std::string("?");
      if (close == std::string_view::npos) break;
      i = close + 1;
    } else if (c == '\'' && !(i > 0 && IsWordChar(m[i - 1]) && i + 1 < m.size() && IsWordChar(m[i + 1]))) {
      size_t close = m.find('\'', i + 1);
      out += "?";
      if (close == std::string_view::npos) break;
      i = close + 1;
    } else if (size_t n = StartsWithAny(m.substr(i), kOpeners)) {
      size_t j = i + n, close = std::string_view::npos;
      for (; j < m.size(); ++j) {
        if (size_t k = StartsWithAny(m.substr(j), kClosers)) {
          close = j + k;
          break;
        }
      }
      out += "?";
      if (close == std::string_view::npos) break;
      i = close;
    } else if (c >= '0' && c <= '9' && (i == 0 || !IsWordChar(m[i - 1]))) {
      while (i < m.size() && ((m[i] >= '0' && m[i] <= '9') || m[i] == '.' || m[i] == ':' || m[i] == '-')) ++i;
      out += "N";
    } else {
      out += c;
      ++i;
    }
  }
  if (out.size() >= kMaxBytes) {
    size_t cut = kMaxBytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "…";
  }
  return out;
}

}  // namespace pgsift
