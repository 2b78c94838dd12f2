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

namespace {

// SQLSTATE classes PostgreSQL itself raises (Appendix A), less P0 (PL/pgSQL:
// RAISE's own message).
constexpr std::array<std::string_view, 42> kServerClasses = {
    "00", "01", "02", "03", "08", "09", "0A", "0B", "0F", "0L", "0P", "0Z", "20", "21",
    "22", "23", "24", "25", "26", "27", "28", "2B", "2D", "2F", "34", "38", "39", "3B",
    "3D", "3F", "40", "42", "44", "53", "54", "55", "57", "58", "72", "F0", "HV", "XX"};

// How common PostgreSQL errors begin (English), for logs without %e.
constexpr std::array<std::string_view, 52> kServerMessageStarts = {
    "duplicate key value violates unique constraint", "syntax error at or near", "syntax error at end of input",
    "relation ", "column ", "division by zero", "invalid input syntax for", "deadlock detected",
    "canceling statement due to", "could not serialize access", "permission denied for", "permission denied to",
    "null value in column", "insert or update on table", "update or delete on table", "value too long for type",
    "current transaction is aborted", "terminating connection due to", "password authentication failed",
    "function ", "operator does not exist", "out of shared memory", "could not obtain lock",
    "new row for relation", "new row violates", "there is no unique constraint", "prepared statement",
    "invalid byte sequence", "unterminated quoted", "missing FROM-clause entry", "more than one row returned",
    "numeric field overflow", "integer out of range", "bigint out of range", "smallint out of range",
    "date/time field value out of range", "invalid input value for enum", "malformed array literal", "type ",
    "schema ", "database ", "role ", "could not receive data from client", "connection to client lost",
    "cannot execute ", "conflicting key value violates exclusion constraint", "index row size",
    "remaining connection slots are reserved", "sorry, too many clients already", "the database system is ",
    "must be owner of", "unrecognized configuration parameter"};

}  // namespace

std::string ShownServerMessage(std::string_view sqlstate, std::string_view message) {
  std::string redacted = RedactServerMessage(message);
  if (sqlstate.size() == 5 && sqlstate != "unknown") {
    std::string_view cls = sqlstate.substr(0, 2);
    bool server = std::find(kServerClasses.begin(), kServerClasses.end(), cls) != kServerClasses.end();
    return server ? redacted : "(raised by application code: not shown, it may hold values)";
  }
  for (std::string_view start : kServerMessageStarts) {
    if (redacted.starts_with(start)) return redacted;
  }
  return "(not shown: no SQLSTATE in the log, and not one of the server's common messages)";
}

}  // namespace pgsift
