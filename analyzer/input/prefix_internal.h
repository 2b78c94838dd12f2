// Internal to analyzer/input/: the pieces of the log_line_prefix matcher
// that prefix inference (prefix_infer.cpp) uses to recognise rendered values.
#pragma once

#include <cstddef>
#include <string_view>

namespace pgsift::prefix_internal {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Number of ASCII digits at s[p..).
size_t Digits(std::string_view s, size_t p);

// Length of "YYYY-MM-DD HH:MM:SS" at s[p] (with ".fff" when `millis`, and an
// optional " TZ"), or 0.
size_t MatchTimestamp(std::string_view s, size_t p, bool millis);

// Length matched by the typed escape `e` (p, l, x, P, Q, t, s, m, n, c, v, e)
// at s[p], or -1.
long MatchTyped(char e, std::string_view s, size_t p);

}  // namespace pgsift::prefix_internal
