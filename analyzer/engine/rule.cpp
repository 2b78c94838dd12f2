#include "pgsift/rule.h"

#include <charconv>
#include <cstdlib>

namespace pgsift {

namespace {

std::string BadOption(std::string_view key, const std::string& value, std::string_view want) {
  return "option " + std::string(key) + " = \"" + value + "\": expected " + std::string(want);
}

}  // namespace

Result<double> RuleOptions::GetDouble(std::string_view key, double fallback) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) return fallback;
  char* end = nullptr;
  double v = std::strtod(it->second.c_str(), &end);
  if (it->second.empty() || end != it->second.c_str() + it->second.size()) {
    return Err(BadOption(key, it->second, "a number"));
  }
  return v;
}

Result<int64_t> RuleOptions::GetInt(std::string_view key, int64_t fallback) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) return fallback;
  int64_t v = 0;
  const std::string& s = it->second;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
    return Err(BadOption(key, s, "an integer"));
  }
  return v;
}

Result<bool> RuleOptions::GetBool(std::string_view key, bool fallback) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) return fallback;
  if (it->second == "true" || it->second == "1" || it->second == "on") return true;
  if (it->second == "false" || it->second == "0" || it->second == "off") return false;
  return Err(BadOption(key, it->second, "true or false"));
}

std::string RuleOptions::GetString(std::string_view key, std::string fallback) const {
  auto it = values_.find(std::string(key));
  return it == values_.end() ? fallback : it->second;
}

std::vector<std::unique_ptr<Rule>> MakeAllRules() {
  std::vector<std::unique_ptr<Rule>> rules;
  for (RuleFactory make : RuleRegistry()) rules.push_back(make());
  return rules;
}

std::unique_ptr<Rule> MakeRule(std::string_view id_or_alias) {
  for (RuleFactory make : RuleRegistry()) {
    std::unique_ptr<Rule> rule = make();
    const RuleInfo& info = rule->Info();
    if (info.id == id_or_alias) return rule;
    for (const std::string& alias : info.aliases) {
      if (alias == id_or_alias) return rule;
    }
  }
  return nullptr;
}

}  // namespace pgsift
