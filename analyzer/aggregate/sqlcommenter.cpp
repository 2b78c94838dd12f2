#include "pgsift/sqlcommenter.h"

#include "pgsift/text.h"

namespace pgsift {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}


}  // namespace

std::vector<CommentTag> ParseCommentTags(std::string_view comment) {
  std::string_view body = Trim(comment);
  if (body.substr(0, 2) == "/*") {
    size_t close = body.rfind("*/");
    body = close != std::string_view::npos && close >= 2 ? body.substr(2, close - 2) : body.substr(2);
  }
  std::vector<CommentTag> tags;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = pos;
    bool quoted = false;
    while (end < body.size() && (quoted || body[end] != ',')) {
      if (body[end] == '\'') quoted = !quoted;
      ++end;
    }
    std::string_view item = Trim(body.substr(pos, end - pos));
    pos = end + 1;
    size_t sep = item.find_first_of("=:");
    if (sep == std::string_view::npos) continue;
    std::string_view key = Trim(item.substr(0, sep));
    std::string_view value = Trim(item.substr(sep + 1));
    if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    tags.push_back({key, value});
  }
  return tags;
}

std::string UrlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 && HexDigit(text[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace pgsift
