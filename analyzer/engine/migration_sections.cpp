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

// "-- +goose Up" -> "Up"; "--migrate:up transaction:false" -> "migrate:up transaction:false".
std::string_view CommentBody(std::string_view line) {
  line = Trim(line);
  if (line.size() < 2 || line[0] != '-' || line[1] != '-') return {};
  return Trim(line.substr(2));
}

}  // namespace

MigrationSections FindMigrationSections(std::string_view text) {
  MigrationSections out;
  out.up_end = text.size();
  bool goose_no_tx = false, dbmate_no_tx = false;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view body = CommentBody(text.substr(pos, end - pos));
    if (StartsWithNoCase(body, "+goose")) {
      std::string_view what = Trim(body.substr(6));
      if (out.tool.empty()) out.tool = "goose";
      if (StartsWithNoCase(what, "no transaction")) goose_no_tx = true;
      if (out.tool == "goose" && StartsWithNoCase(what, "down")) {
        out.up_end = pos;
        break;
      }
    } else if (body.rfind("migrate:up", 0) == 0) {
      if (out.tool.empty()) out.tool = "dbmate";
      if (body.find("transaction:false") != std::string_view::npos) dbmate_no_tx = true;
    } else if (body.rfind("migrate:down", 0) == 0 && out.tool == "dbmate") {
      out.up_end = pos;
      break;
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (out.tool == "goose") out.in_transaction = !goose_no_tx;
  if (out.tool == "dbmate") out.in_transaction = !dbmate_no_tx;
  return out;
}

}  // namespace pgsift
