#include "pgsift/parse_tree.h"

#include <cctype>

#include "pg_query_api.h"

namespace pgsift::sql {

namespace {

// The offset of the first byte that is not part of a well-formed UTF-8
// sequence, or npos.
size_t FirstInvalidUtf8(std::string_view t) {
  for (size_t i = 0; i < t.size();) {
    unsigned char c = static_cast<unsigned char>(t[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || (n == 2 && c < 0xC2) || i + n > t.size()) return i;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(t[i + k]) & 0xC0) != 0x80) return i;
    }
    i += n;
  }
  return std::string_view::npos;
}

using Json = nlohmann::json;

// End of a quoted run starting at `pos` (text[pos] is the opening quote),
// doubled quotes escape; backslashes escape too when `backslash`.
size_t SkipQuoted(std::string_view text, size_t pos, char quote, bool backslash) {
  size_t i = pos + 1;
  while (i < text.size()) {
    if (backslash && text[i] == '\\') {
      i += 2;
      continue;
    }
    if (text[i] == quote) {
      if (i + 1 < text.size() && text[i + 1] == quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    ++i;
  }
  return text.size();
}

// $tag$ at pos: returns the tag length (with both $) or 0.
size_t DollarTag(std::string_view text, size_t pos) {
  if (text[pos] != '$') return 0;
  size_t i = pos + 1;
  if (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) return 0;
  while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) ++i;
  return i < text.size() && text[i] == '$' ? i - pos + 1 : 0;
}

size_t SkipBlockComment(std::string_view text, size_t pos) {
  int depth = 0;
  size_t i = pos;
  while (i + 1 < text.size()) {
    if (text[i] == '/' && text[i + 1] == '*') {
      ++depth;
      i += 2;
    } else if (text[i] == '*' && text[i + 1] == '/') {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return text.size();
}

void CollectPlpgsql(const Json& node, std::vector<PlpgsqlSql>* out) {
  if (node.is_array()) {
    for (const Json& n : node) CollectPlpgsql(n, out);
    return;
  }
  if (!node.is_object()) return;
  for (const auto& [key, value] : node.items()) {
    if (key == "PLpgSQL_stmt_execsql" && value.contains("sqlstmt")) {
      const Json& expr = value["sqlstmt"].value("PLpgSQL_expr", Json::object());
      if (expr.contains("query")) out->push_back({value.value("lineno", 0), expr["query"].get<std::string>()});
      continue;
    }
    if (key == "PLpgSQL_stmt_perform" && value.contains("expr")) {
      // PERFORM expr runs SELECT expr (e.g. set_config('lock_timeout', ...)).
      std::string q = value["expr"].value("PLpgSQL_expr", Json::object()).value("query", "");
      size_t start = q.find_first_not_of(" \t\r\n");
      q = start == std::string::npos ? "" : q.substr(start);
      if (q.size() > 7 && (q.compare(0, 7, "PERFORM") == 0 || q.compare(0, 7, "perform") == 0)) {
        q = "SELECT" + q.substr(7);
      }
      if (!q.empty()) out->push_back({value.value("lineno", 0), q});
      continue;
    }
    if (key == "PLpgSQL_stmt_dynexecute" && value.contains("query")) {
      const Json& expr = value["query"].value("PLpgSQL_expr", Json::object());
      std::string q = expr.value("query", "");
      // Only a plain string constant can be linted; anything built at run
      // time is out of reach.
      if (q.size() >= 2 && q.front() == '\'' && q.back() == '\'' && SkipQuoted(q, 0, '\'', false) == q.size()) {
        std::string unquoted;
        for (size_t i = 1; i + 1 < q.size(); ++i) {
          unquoted += q[i];
          if (q[i] == '\'') ++i;
        }
        out->push_back({value.value("lineno", 0), unquoted});
      }
      continue;
    }
    CollectPlpgsql(value, out);
  }
}

}  // namespace

size_t SkipSpaceAndComments(std::string_view text, size_t pos) {
  while (pos < text.size()) {
    char c = text[pos];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++pos;
    } else if (c == '-' && pos + 1 < text.size() && text[pos + 1] == '-') {
      size_t nl = text.find('\n', pos);
      pos = nl == std::string_view::npos ? text.size() : nl + 1;
    } else if (c == '/' && pos + 1 < text.size() && text[pos + 1] == '*') {
      pos = SkipBlockComment(text, pos);
    } else {
      break;
    }
  }
  return pos;
}

std::vector<SqlComment> FindComments(std::string_view text, size_t begin, size_t end) {
  std::vector<SqlComment> out;
  end = std::min(end, text.size());
  size_t i = begin;
  while (i < end) {
    char c = text[i];
    if (c == '-' && i + 1 < end && text[i + 1] == '-') {
      size_t nl = text.find('\n', i);
      size_t stop = nl == std::string_view::npos ? text.size() : nl;
      out.push_back({i, std::string(text.substr(i + 2, stop - i - 2))});
      i = stop;
    } else if (c == '/' && i + 1 < end && text[i + 1] == '*') {
      size_t stop = SkipBlockComment(text, i);
      size_t inner_end = stop >= i + 4 ? stop - 2 : stop;
      out.push_back({i, std::string(text.substr(i + 2, inner_end - i - 2))});
      i = stop;
    } else if (c == '\'') {
      bool escape = i > 0 && (text[i - 1] == 'E' || text[i - 1] == 'e');
      i = SkipQuoted(text, i, '\'', escape);
    } else if (c == '"') {
      i = SkipQuoted(text, i, '"', false);
    } else if (size_t tag = DollarTag(text, i); tag != 0) {
      size_t close = text.find(text.substr(i, tag), i + tag);
      i = close == std::string_view::npos ? text.size() : close + tag;
    } else {
      ++i;
    }
  }
  return out;
}

namespace {

// `text` with every comment blanked (same length, newlines kept): what the
// splitter sees when comments like "/*/*/*..." would cost it quadratic time.
// Statement boundaries do not move.
std::string BlankComments(std::string_view text) {
  std::string out(text);
  for (const SqlComment& c : FindComments(text, 0, text.size())) {
    size_t end = text[c.offset] == '/' ? SkipBlockComment(text, c.offset) : c.offset + 2 + c.text.size();
    for (size_t i = c.offset; i < end && i < out.size(); ++i) {
      if (out[i] != '\n') out[i] = ' ';
    }
  }
  return out;
}

PgSplit SplitBlankingCommentsIfNeeded(std::string_view text) {
  PgSplit split = PgQuerySplit(text);
  if (split.refused) {
    PgSplit blanked = PgQuerySplit(BlankComments(text));
    if (!blanked.refused) return blanked;
  }
  return split;
}

}  // namespace

std::vector<ParsedChunk> SplitAndParse(std::string_view text) {
  std::vector<ParsedChunk> out;
  // A scanner error (an unterminated quote) stops the whole split: keep the
  // statements that end before it, report the rest as one error (a loop,
  // not recursion: each error can move the cut to an earlier ';').
  std::vector<ParsedChunk> errors;
  size_t end = text.size();
  PgSplit split;
  for (;;) {
    std::string_view part = text.substr(0, end);
    split = SplitBlankingCommentsIfNeeded(part);
    if (split.ok) break;
    size_t cut = split.error_offset > 0 ? part.rfind(';', static_cast<size_t>(split.error_offset)) : std::string::npos;
    ParsedChunk chunk;
    chunk.offset = cut == std::string_view::npos ? 0 : static_cast<uint32_t>(cut + 1);
    chunk.length = static_cast<uint32_t>(end - chunk.offset);
    chunk.error = split.error;
    chunk.scanner_error = true;
    chunk.error_offset = split.error_offset > 0 ? static_cast<uint32_t>(split.error_offset) : chunk.offset;
    errors.push_back(std::move(chunk));
    if (cut == std::string_view::npos) {
      split = PgSplit{};
      break;
    }
    end = cut + 1;
  }
  for (const PgSplitStatement& s : split.statements) {
    ParsedChunk chunk;
    chunk.offset = s.offset;
    chunk.length = s.length;
    PgParse parsed = PgQueryParseJson(text.substr(s.offset, s.length));
    if (!parsed.ok) {
      chunk.error = parsed.error;
      // Without a position (a statement refused as too deep), the error is
      // where the statement starts, past the blanks and comments before it.
      chunk.error_offset = parsed.error_offset < 0 ? static_cast<uint32_t>(SkipSpaceAndComments(text, s.offset))
                                                   : s.offset + static_cast<uint32_t>(parsed.error_offset);
      out.push_back(std::move(chunk));
      continue;
    }
    Json tree = Json::parse(parsed.json, nullptr, false);
    if (tree.is_discarded()) {
      // The tree is not JSON: the statement's bytes are not UTF-8 (a
      // Latin-1 literal), which the tree repeats. Said, never skipped.
      size_t bad = FirstInvalidUtf8(text.substr(s.offset, s.length));
      chunk.error = bad == std::string_view::npos
                        ? "unreadable parse tree"
                        : "not UTF-8 (a byte of another encoding, e.g. Latin-1): PostgreSQL reads migrations in the "
                          "client encoding; convert the file (iconv -f latin1 -t utf-8)";
      chunk.error_offset = s.offset + static_cast<uint32_t>(bad == std::string_view::npos ? 0 : bad);
      out.push_back(std::move(chunk));
      continue;
    }
    if (!tree.contains("stmts")) {
      chunk.ok = true;  // only comments
    } else {
      chunk.ok = true;
      for (Json& st : tree["stmts"]) chunk.statements.push_back(std::move(st));
    }
    out.push_back(std::move(chunk));
  }
  for (auto it = errors.rbegin(); it != errors.rend(); ++it) out.push_back(std::move(*it));
  return out;
}

PgParseStatements ParseStatements(std::string_view text) {
  PgParseStatements out;
  PgParse parsed = PgQueryParseJson(text);
  if (!parsed.ok) {
    out.error = parsed.error;
    return out;
  }
  Json tree = Json::parse(parsed.json, nullptr, false);
  out.ok = true;
  if (!tree.is_discarded() && tree.contains("stmts")) {
    for (Json& st : tree["stmts"]) out.statements.push_back(std::move(st));
  }
  return out;
}

bool PlpgsqlStatements(std::string_view body, std::vector<PlpgsqlSql>* out, std::string* error) {
  // The body's first line stays line 1: it follows the opening quote.
  std::string tag = "$pgsift_body$";
  while (body.find(tag) != std::string_view::npos) tag.insert(tag.size() - 1, "_");
  std::string fn = "CREATE FUNCTION pgsift_do() RETURNS void LANGUAGE plpgsql AS " + tag + std::string(body) + tag;
  PgParse parsed = PgQueryParsePlpgsqlJson(fn);
  if (!parsed.ok) {
    *error = parsed.error;
    return false;
  }
  Json tree = Json::parse(parsed.json, nullptr, false);
  if (tree.is_discarded()) {
    *error = "unreadable PL/pgSQL tree";
    return false;
  }
  CollectPlpgsql(tree, out);
  return true;
}

const Json& Member(const Json& node, std::string_view key) {
  static const Json kNull;
  if (!node.is_object()) return kNull;
  auto it = node.find(key);
  return it == node.end() ? kNull : *it;
}

std::string Str(const Json& node, std::string_view key) {
  const Json& v = Member(node, key);
  return v.is_string() ? v.get<std::string>() : "";
}

bool Bool(const Json& node, std::string_view key) {
  const Json& v = Member(node, key);
  return v.is_boolean() && v.get<bool>();
}

std::string Sval(const Json& string_node) { return Str(Member(string_node, "String"), "sval"); }

}  // namespace pgsift::sql
