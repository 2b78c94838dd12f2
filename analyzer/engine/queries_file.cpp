// The queries file of `pgsift baseline capture`: hand-written SQL, one
// statement per ';', with "-- name:" and "-- params:" comment lines.
#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include "pgsift/baseline.h"
#include "pgsift/fingerprint.h"
#include "pgsift/text.h"

namespace pgsift {
namespace {

// Blanks and line ends around a statement or a comment.
constexpr std::string_view kBlank = " \t\r\n";

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// Only statements PREPARE accepts: utility statements (pgsift's own PREPARE,
// EXPLAIN, SET among them in pg_stat_statements) are not plans to guard.
bool Preparable(std::string_view sql) {
  sql = Trim(sql, kBlank);
  while (sql.starts_with("(")) sql = Trim(sql.substr(1), kBlank);
  size_t end = 0;
  while (end < sql.size() && std::isalpha(static_cast<unsigned char>(sql[end]))) ++end;
  std::string word(sql.substr(0, end));
  for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return word == "SELECT" || word == "WITH" || word == "INSERT" || word == "UPDATE" || word == "DELETE" ||
         word == "VALUES" || word == "TABLE" || word == "MERGE";
}

}  // namespace

std::vector<std::string> SplitParams(std::string_view list) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  char quote = 0;
  for (char c : list) {
    if (quote) {
      cur += c;
      if (c == quote) quote = 0;  // '' re-enters the quote on the next char
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[') {
      ++depth;
    } else if (c == ')' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.emplace_back(Trim(cur, kBlank));
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!Trim(cur, kBlank).empty() || !out.empty()) out.emplace_back(Trim(cur, kBlank));
  return out;
}

Result<std::vector<GuardedQuery>> ReadQueriesFile(const std::string& path, std::string_view text) {
  std::vector<GuardedQuery> out;
  std::set<std::string> names;
  GuardedQuery cur;
  std::string sql;
  uint32_t line = 1, start_line = 0, meta_line = 0;
  char quote = 0;  // inside '...', "..." or a $tag$ body ('$')
  std::string dollar_tag;
  bool has_params = false;

  auto finish = [&](uint32_t end_line) -> Status {
    std::string_view body = Trim(sql, kBlank);
    if (body.empty()) {
      if (!cur.name.empty() || has_params) {
        return Err(path + ":" + std::to_string(meta_line) + ": -- name/-- params with no statement after it");
      }
      sql.clear();
      return Ok{};
    }
    if (cur.name.empty()) cur.name = "query_" + std::to_string(start_line);
    if (!names.insert(cur.name).second) {
      return Err(path + ":" + std::to_string(start_line) + ": query name " + cur.name + " used twice");
    }
    cur.sql = std::string(body);
    cur.source = path + ":" + std::to_string(start_line);
    if (has_params) cur.params_origin = "queries-file";
    out.push_back(std::move(cur));
    cur = GuardedQuery{};
    sql.clear();
    has_params = false;
    (void)end_line;
    return Ok{};
  };

  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (quote == '$') {
      if (text.substr(i, dollar_tag.size()) == dollar_tag) {
        sql += dollar_tag;
        i += dollar_tag.size();
        quote = 0;
        continue;
      }
    } else if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      size_t end = text.find('\n', i);
      if (end == std::string_view::npos) end = text.size();
      std::string_view comment = Trim(text.substr(i + 2, end - i - 2), kBlank);
      bool at_start = Trim(sql, kBlank).empty();
      if (at_start && comment.starts_with("name:")) {
        std::string_view name = Trim(comment.substr(5), kBlank);
        if (!ValidName(name)) {
          return Err(path + ":" + std::to_string(line) + ": query name must be letters, digits, _ - . (at most 100)");
        }
        cur.name = std::string(name);
        meta_line = line;
      } else if (at_start && comment.starts_with("params:")) {
        cur.params = SplitParams(comment.substr(7));
        has_params = true;
        meta_line = line;
      }
      i = end;  // the newline itself is handled below
      continue;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos) return Err(path + ":" + std::to_string(line) + ": unterminated /* comment");
      for (size_t k = i; k < end; ++k) line += text[k] == '\n';
      sql += ' ';
      i = end + 2;
      continue;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '$') {
      size_t end = text.find('$', i + 1);
      if (end != std::string_view::npos) {
        std::string_view tag = text.substr(i, end - i + 1);
        bool is_tag = true;
        for (char t : tag.substr(1, tag.size() - 2))
          is_tag = is_tag && (std::isalpha(static_cast<unsigned char>(t)) || t == '_');
        if (is_tag) {
          dollar_tag = std::string(tag);
          quote = '$';
          sql += dollar_tag;
          i = end + 1;
          continue;
        }
      }
    } else if (c == ';') {
      Status s = finish(line);
      if (!s.ok()) return Err(s.error());
      ++i;
      continue;
    }
    if (c == '\n') ++line;
    if (Trim(sql, kBlank).empty() && c != ' ' && c != '\t' && c != '\n' && c != '\r') start_line = line;
    sql += c;
    ++i;
  }
  if (quote) return Err(path + ":" + std::to_string(line) + ": unterminated quoted text at end of file");
  Status s = finish(line);
  if (!s.ok()) return Err(s.error());
  if (out.empty()) return Err(path + ": no statements");
  return out;
}

std::vector<GuardedQuery> TopGuardedQueries(std::vector<TopQuery> candidates, size_t top, const std::string& source) {
  std::sort(candidates.begin(), candidates.end(), [](const TopQuery& a, const TopQuery& b) {
    return a.total_ms != b.total_ms ? a.total_ms > b.total_ms : a.fingerprint < b.fingerprint;
  });
  std::vector<GuardedQuery> out;
  std::set<uint64_t> seen;
  for (const TopQuery& c : candidates) {
    if (out.size() >= top) break;
    if (!Preparable(c.normalized) || !seen.insert(c.fingerprint).second) continue;
    GuardedQuery q;
    q.name = "q_" + FingerprintHex(c.fingerprint);
    q.sql = c.normalized;
    q.source = source;
    q.optional = true;
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace pgsift
