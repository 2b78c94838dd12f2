// PlanRootRows (plan.h): the rows an auto_explain plan's top node returned,
// read without building the plan tree (a log with auto_explain on every
// statement has as many plans as statements).
#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "pgsift/plan.h"

namespace pgsift {
namespace {

// The number at s[p...] ("8", "8.5", "1e+06"), or nullopt.
std::optional<double> NumberAt(std::string_view s, size_t p) {
  while (p < s.size() && s[p] == ' ') ++p;
  size_t q = p;
  while (q < s.size() && (std::isdigit(static_cast<unsigned char>(s[q])) || s[q] == '.' || s[q] == 'e' ||
                          s[q] == 'E' || s[q] == '+' || s[q] == '-')) {
    ++q;
  }
  if (q == p || q - p > 32) return std::nullopt;
  std::string n(s.substr(p, q - p));
  char* end = nullptr;
  double v = std::strtod(n.c_str(), &end);
  if (end != n.c_str() + n.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

std::optional<double> PlanRootRows(std::string_view plan, bool json) {
  if (json) {
    // The server writes "Query Text" before "Plan", and a quote inside a
    // string is escaped: the first unescaped "Actual Rows" after "Plan" is
    // the top node's (its own keys come before its "Plans").
    size_t p = plan.find("\"Plan\":");
    if (p == std::string_view::npos) return std::nullopt;
    constexpr std::string_view kKey = "\"Actual Rows\":";
    for (p = plan.find(kKey, p); p != std::string_view::npos; p = plan.find(kKey, p + 1)) {
      if (plan[p - 1] != '\\') return NumberAt(plan, p + kKey.size());
    }
    return std::nullopt;
  }
  // Text: the top node is the first line ("Limit  (cost=... rows=8 width=12)
  // (actual time=0.1..0.2 rows=8 loops=1)"); the statement text is not here
  // (the assembler keeps it apart).
  std::string_view first = plan.substr(0, plan.find('\n'));
  size_t actual = first.rfind("(actual ");
  if (actual == std::string_view::npos) return std::nullopt;
  size_t rows = first.find(" rows=", actual);
  if (rows == std::string_view::npos) return std::nullopt;
  return NumberAt(first, rows + 6);
}

}  // namespace pgsift
