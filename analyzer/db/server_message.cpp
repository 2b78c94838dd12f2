// What pgsift shows of a server message: see server_message.h for the rule.
#include "server_message.h"

#include <algorithm>
#include <cctype>
#include <pqxx/pqxx>

#include "pgsift/i18n.h"

namespace pgsift::db {
namespace {

constexpr std::string_view kRedacted = "<redacted>";
constexpr size_t kMaxNameBytes = 128;

// Message shapes (text after the severity tag) whose double-quoted slots
// ("%") hold the name of a catalog object. '*' matches unquoted text up to
// the next fixed part. Only a line that starts with a shape keeps its slots.
constexpr std::string_view kNameShapes[] = {
    "relation \"%\"",
    "column \"%\" of relation \"%\"",
    "column \"%\"",
    "column reference \"%\"",
    "table \"%\"",
    "index \"%\"",
    "sequence \"%\"",
    "view \"%\"",
    "materialized view \"%\"",
    "schema \"%\"",
    "type \"%\"",
    "role \"%\"",
    "database \"%\"",
    "extension \"%\"",
    "constraint \"%\" of relation \"%\"",
    "constraint \"%\" for table \"%\"",
    "constraint \"%\"",
    "trigger \"%\" for table \"%\"",
    "trigger \"%\"",
    "prepared statement \"%\"",
    "cursor \"%\"",
    "unrecognized configuration parameter \"%\"",
    "missing FROM-clause entry for table \"%\"",
    "invalid reference to FROM-clause entry for table \"%\"",
    "duplicate key value violates unique constraint \"%\"",
    "conflicting key value violates exclusion constraint \"%\"",
    "could not create unique index \"%\"",
    "could not create exclusion constraint \"%\"",
    "new row for relation \"%\" violates check constraint \"%\"",
    "null value in column \"%\" of relation \"%\" violates not-null constraint",
    "null value in column \"%\" violates not-null constraint",
    "insert or update on table \"%\" violates foreign key constraint \"%\"",
    "update or delete on table \"%\" violates foreign key constraint \"%\" on table \"%\"",
    "check constraint \"%\" of relation \"%\" is violated by some row",
    "value for domain * violates check constraint \"%\"",
    "password authentication failed for user \"%\"",
    "connection to server at \"%\"",
    "connection to server on socket \"%\"",
    "invalid byte sequence for encoding \"%\"",
    "character with byte sequence * in encoding \"%\" has no equivalent in encoding \"%\"",
};

// Length of the prefix of `s` that `shape` matches, or 0.
size_t MatchShape(std::string_view s, std::string_view shape) {
  size_t i = 0, k = 0;
  while (k < shape.size()) {
    char c = shape[k];
    if (c == '%') {  // a name inside the shape's quotes
      size_t close = s.find('"', i);
      if (close == std::string_view::npos || close - i > kMaxNameBytes) return 0;
      i = close;
      ++k;
      continue;
    }
    if (c == '*') {  // unquoted text up to the next fixed part
      std::string_view next = shape.substr(k + 1);
      next = next.substr(0, next.find_first_of("%*"));
      size_t at = s.find(next, i);
      if (next.empty() || at == std::string_view::npos) return 0;
      if (s.substr(i, at - i).find_first_of("\"'") != std::string_view::npos) return 0;
      i = at;
      ++k;
      continue;
    }
    if (i >= s.size() || s[i] != c) return 0;
    ++i;
    ++k;
  }
  return i;
}

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Appends `text` with hex byte sequences ("0xe5 0xb1", bytes of a value) redacted.
void AppendKept(std::string* out, std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '0' && i + 2 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X') &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2])) && (i == 0 || !IsAlnum(text[i - 1]))) {
      size_t j = i + 2;
      while (j < text.size() && std::isxdigit(static_cast<unsigned char>(text[j]))) ++j;
      out->append(kRedacted);
      i = j;
      continue;
    }
    out->push_back(text[i++]);
  }
}

// A quote that opens a quoted part, and the quote that closes it. The
// server's translations quote with more than '"': German writes »%s«,
// Spanish «%s», French « %s » (from the catalogs of PostgreSQL 10-18).
struct QuotePair {
  std::string_view open, close;
};
constexpr QuotePair kQuotes[] = {
    {"\"", "\""}, {"'", "'"}, {"\u00bb", "\u00ab"}, {"\u00ab", "\u00bb"}, {"\u201c", "\u201d"},
    {"\u201e", "\u201c"}, {"\u2018", "\u2019"}, {"\u300c", "\u300d"}, {"\u300e", "\u300f"},
};

// The quote opening at s[i], if any: any '"' or translated opening quote,
// and a '\'' not inside a word (an apostrophe as in "server's" is not one).
const QuotePair* OpensQuote(std::string_view s, size_t i) {
  for (const QuotePair& q : kQuotes) {
    if (!s.substr(i).starts_with(q.open)) continue;
    if (q.open == "'" && i > 0 && IsAlnum(s[i - 1])) return nullptr;
    return &q;
  }
  return nullptr;
}

// Redacts one line, its severity tag removed.
void RedactSegment(std::string_view seg, std::string* out) {
  size_t pos = 0;
  size_t best = 0;
  for (std::string_view shape : kNameShapes) best = std::max(best, MatchShape(seg, shape));
  if (best > 0) {
    AppendKept(out, seg.substr(0, best));  // byte sequences in a '*' part are values
    pos = best;
  }
  constexpr std::string_view kFailingRow = "Failing row contains (";
  constexpr std::string_view kJsonData = "JSON data, line ";
  if (seg.starts_with(kJsonData)) {
    size_t colon = seg.find(": ");
    out->append(seg.substr(0, colon == std::string_view::npos ? seg.size() : colon + 2));
    if (colon != std::string_view::npos) out->append(kRedacted);
    return;
  }
  while (pos < seg.size()) {
    // The earliest value region from `pos`: a quoted part, a "(cols)=(values)"
    // tuple, or the row of "Failing row contains (...)".
    size_t start = std::string_view::npos;
    size_t end = seg.size();
    bool closed = true;  // seg[end] is the region's closing delimiter
    size_t closer = 1;   // its length in bytes
    if (pos == 0 && seg.starts_with(kFailingRow)) {
      start = kFailingRow.size();
      size_t close = seg.rfind(')');
      end = close != std::string_view::npos && close >= start ? close : seg.size();
    }
    if (start == std::string_view::npos) {
      size_t tuple = seg.find(")=(", pos);
      size_t quote = pos;
      const QuotePair* pair = nullptr;
      while (quote < seg.size() && (pair = OpensQuote(seg, quote)) == nullptr) ++quote;
      if (tuple != std::string_view::npos && tuple < quote) {
        start = tuple + 3;
        size_t close = seg.rfind(')');
        end = close != std::string_view::npos && close >= start ? close : seg.size();
      } else if (quote < seg.size()) {
        // To the last such quote of the line: PostgreSQL does not escape
        // quotes inside a quoted value, so anything up to there may be value.
        // A quote in the columns of "Key (expr)=(values)" (an expression
        // index) ends before the tuple, which is a region of its own.
        start = quote + pair->open.size();
        size_t limit = tuple != std::string_view::npos ? tuple : seg.size();
        size_t close = seg.substr(0, limit).rfind(pair->close);
        if (close != std::string_view::npos && close >= start) {
          end = close;
          closer = pair->close.size();
        } else {
          end = limit;
          closed = false;
        }
      }
    }
    if (start == std::string_view::npos) {
      AppendKept(out, seg.substr(pos));
      return;
    }
    AppendKept(out, seg.substr(pos, start - pos));
    out->append(kRedacted);
    pos = end;
    if (closed && pos < seg.size()) {  // the closing delimiter
      out->append(seg.substr(pos, closer));
      pos += closer;
    }
  }
}

// The severity or field tag at the start of `line` ("ERROR:  ", "DETAIL:  ",
// or the server's translation of one, "FEHLER:  ", "INSTRUCTION : "): its
// length with the ':' and the spaces after it, 0 when there is none; its
// English word in *english.
size_t LeadingTag(std::string_view line, std::string_view* english) {
  size_t word = 0;
  std::string_view en;
  for (std::string_view tag : {"ERROR", "FATAL", "PANIC", "WARNING", "NOTICE", "DETAIL", "HINT", "CONTEXT", "WHERE",
                               "LOG", "INFO", "STATEMENT", "QUERY", "LOCATION"}) {
    if (line.starts_with(tag) && line.size() > tag.size() && line[tag.size()] == ':') {
      word = tag.size();
      en = tag;
      break;
    }
  }
  if (word == 0 && i18n::StartsWithTranslatedSeverity(line, &word)) {
    en = i18n::EnglishSeverity(line.substr(0, word));
    if (en.empty()) return 0;
  }
  if (word == 0) return 0;
  size_t n = word + 1;
  while (n < line.size() && line[n] == ' ') ++n;
  if (english != nullptr) *english = en;
  return n;
}

}  // namespace

std::string RedactServerLine(std::string_view line) {
  // A leading severity or field tag ("ERROR:  ", "DETAIL:  ", "FEHLER:  ")
  // is kept; the message shapes are matched right after it. A tag further
  // inside the line ("... failed: FATAL:  ...") is only text: a value may
  // contain one.
  std::string out;
  out.reserve(line.size() + kRedacted.size());
  size_t n = LeadingTag(line, nullptr);
  out.append(line.substr(0, n));
  line.remove_prefix(n);
  RedactSegment(line, &out);
  return out;
}

std::string ServerMessage(std::string_view libpq_text, std::string_view sqlstate, bool show_values) {
  std::string_view msg = libpq_text.substr(0, libpq_text.find('\n'));
  std::string_view tag;
  size_t tag_length = LeadingTag(msg, &tag);
  if (tag == "ERROR" || tag == "FATAL") msg.remove_prefix(tag_length);
  while (!msg.empty() && (msg.back() == ' ' || msg.back() == '\r')) msg.remove_suffix(1);
  if (show_values) return std::string(msg);
  if (sqlstate.starts_with("P0")) {
    return "a function raised an error (SQLSTATE " + std::string(sqlstate) +
           "; its message is withheld: it may quote a value; --show-values shows it)";
  }
  return RedactServerLine(msg);
}

std::string ServerMessage(const std::exception& e, bool show_values) {
  std::string sqlstate;
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) sqlstate = sql->sqlstate();
  return ServerMessage(e.what(), sqlstate, show_values);
}

}  // namespace pgsift::db
