// Migration tools that keep both directions in one file: dbmate
// (`-- migrate:up` ... `-- migrate:down`) and goose (`-- +goose Up` ...
// `-- +goose Down`). Only the up part is linted, applied by check, or read
// as schema; both tools run the up part in a transaction unless the file
// says otherwise.
#include <cctype>
#include <string_view>

#include "pgsift/migration.h"

namespace pgsift {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

// A tool's marker line: "--" at the very start of the line (both tools
// refuse or ignore an indented one), then the text after it, blanks
// trimmed: "-- +goose Up" -> "+goose Up".
std::string_view CommentBody(std::string_view line) {
  if (line.size() < 2 || line[0] != '-' || line[1] != '-') return {};
  return Trim(line.substr(2));
}

}  // namespace

MigrationSections FindMigrationSections(std::string_view text) {
  MigrationSections out;
  out.up_end = text.size();
  bool goose_no_tx = false, dbmate_no_tx = false;
  size_t up_at = std::string_view::npos, down_at = std::string_view::npos;
  size_t pos = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // a byte order mark
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view body = CommentBody(text.substr(pos, end - pos));
    if (StartsWithNoCase(body, "+goose") && out.tool != "dbmate") {
      std::string_view what = Trim(body.substr(6));
      out.tool = "goose";
      // goose turns the transaction off wherever the line is.
      if (StartsWithNoCase(what, "no transaction")) goose_no_tx = true;
      if (StartsWithNoCase(what, "up") && up_at == std::string_view::npos) up_at = pos;
      if (StartsWithNoCase(what, "down") && down_at == std::string_view::npos) down_at = pos;
    } else if (body.rfind("migrate:up", 0) == 0 && out.tool != "goose") {
      out.tool = "dbmate";
      if (up_at == std::string_view::npos) {
        up_at = pos;
        if (body.find("transaction:false") != std::string_view::npos) dbmate_no_tx = true;
      }
    } else if (body.rfind("migrate:down", 0) == 0 && out.tool != "goose") {
      out.tool = "dbmate";
      if (down_at == std::string_view::npos) down_at = pos;
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (out.tool.empty()) return out;
  out.in_transaction = out.tool == "goose" ? !goose_no_tx : !dbmate_no_tx;
  if (down_at != std::string_view::npos) out.up_end = down_at;
  if (up_at == std::string_view::npos || (down_at != std::string_view::npos && down_at < up_at)) {
    // Both tools refuse such a file; nothing of it is an up migration.
    out.up_end = 0;
    out.problem = out.tool == "goose" ? "a goose file must start with '-- +goose Up' (the tool refuses this one); not linted"
                                      : "a dbmate file needs '-- migrate:up' before '-- migrate:down' (the tool refuses "
                                        "this one); not linted";
    out.problem_at = down_at != std::string_view::npos ? down_at : 0;
  }
  return out;
}

void BlankByteOrderMark(std::string* text) {
  if (text->starts_with("\xEF\xBB\xBF")) text->replace(0, 3, "   ");
}

}  // namespace pgsift
