// DO block bodies for migration lint (lint_load.h).
#include <cctype>

#include "lint_load.h"

namespace pgsift {

namespace {

bool WordAt(std::string_view text, size_t i, std::string_view word) {
  if (i + word.size() > text.size()) return false;
  if (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '_')) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(text[i + k])) != word[k]) return false;
  }
  size_t end = i + word.size();
  return end == text.size() || !(std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_');
}

// The body with each `COLLATE name` before its first BEGIN (the DECLARE
// section) blanked; unchanged when there is none.
std::string WithoutDeclaredCollations(std::string_view body) {
  std::string out(body);
  size_t i = 0;
  while (i < out.size()) {
    char c = out[i];
    if (c == '\'' || c == '"') {  // a literal or a quoted name: skip it whole
      size_t close = out.find(c, i + 1);
      i = close == std::string::npos ? out.size() : close + 1;
      continue;
    }
    if (c == '-' && i + 1 < out.size() && out[i + 1] == '-') {
      size_t nl = out.find('\n', i);
      i = nl == std::string::npos ? out.size() : nl;
      continue;
    }
    if (WordAt(out, i, "begin")) break;
    if (!WordAt(out, i, "collate")) {
      ++i;
      continue;
    }
    size_t j = i + 7;
    while (j < out.size() && std::isspace(static_cast<unsigned char>(out[j]))) ++j;
    // [schema.]name, each part plain or quoted
    while (j < out.size()) {
      if (out[j] == '"') {
        size_t close = out.find('"', j + 1);
        if (close == std::string::npos) break;
        j = close + 1;
      } else {
        while (j < out.size() && (std::isalnum(static_cast<unsigned char>(out[j])) || out[j] == '_')) ++j;
      }
      if (j < out.size() && out[j] == '.') {
        ++j;
        continue;
      }
      break;
    }
    for (size_t k = i; k < j; ++k) {
      if (out[k] != '\n') out[k] = ' ';
    }
    i = j;
  }
  return out;
}

}  // namespace

bool ReadDoBody(std::string_view body, std::vector<sql::PlpgsqlSql>* out, std::string* error) {
  if (sql::PlpgsqlStatements(body, out, error)) return true;
  if (error->find("collation") == std::string::npos) return false;
  std::string blanked = WithoutDeclaredCollations(body);
  if (blanked == body) return false;
  std::vector<sql::PlpgsqlSql> again;
  std::string again_error;
  if (!sql::PlpgsqlStatements(blanked, &again, &again_error)) return false;
  *out = std::move(again);
  error->clear();
  return true;
}

}  // namespace pgsift
