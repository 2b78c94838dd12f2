// Small text helpers that every folder may use; nothing here depends on
// any other pgsift header.
#pragma once

#include <string_view>

namespace pgsift {

// White space as std::isspace reads it in the C locale.
inline constexpr std::string_view kWhiteSpace = " \t\n\v\f\r";

// `s` without leading characters that are in `chars`.
constexpr std::string_view TrimLeft(std::string_view s, std::string_view chars = kWhiteSpace) {
  size_t start = s.find_first_not_of(chars);
  return start == std::string_view::npos ? std::string_view() : s.substr(start);
}

// `s` without trailing characters that are in `chars`.
constexpr std::string_view TrimRight(std::string_view s, std::string_view chars = kWhiteSpace) {
  size_t end = s.find_last_not_of(chars);
  return end == std::string_view::npos ? std::string_view() : s.substr(0, end + 1);
}

// `s` without leading and trailing characters that are in `chars`.
constexpr std::string_view Trim(std::string_view s, std::string_view chars = kWhiteSpace) {
  return TrimRight(TrimLeft(s, chars), chars);
}

}  // namespace pgsift
