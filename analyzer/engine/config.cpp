// Reads .pgsift.toml through toml++ (journeys.cpp reads its [journeys] table the same way).
#include "pgsift/config.h"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace pgsift {

namespace {

std::string Where(const std::string& path, const toml::source_region& src) {
  return path + ":" + std::to_string(src.begin.line);
}

std::string ScalarText(const toml::node& node) {
  if (auto s = node.value<std::string>()) return *s;
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  if (node.is_integer()) return std::to_string(*node.value<int64_t>());
  if (node.is_floating_point()) {
    std::ostringstream o;
    o << *node.value<double>();
    return o.str();
  }
  return "";
}

Result<std::string> RuleId(const std::string& name, const std::string& where) {
  auto rule = MakeRule(name);
  if (!rule) return Err(where + ": unknown rule " + name);
  return rule->Info().id;
}

Status ReadLint(const toml::table& lint, const std::string& path, Config* config) {
  for (const auto& [key, node] : lint) {
    std::string k(key.str());
    std::string where = Where(path, node.source());
    if (k == "pg_version") {
      auto v = node.value<int64_t>();
      if (!v || *v < 9 || *v > 30) return Err(where + ": [lint] pg_version: expected a major version like 15");
      config->lint.pg_version = static_cast<int>(*v);
    } else if (k == "assume_in_transaction") {
      auto v = node.value<bool>();
      if (!v) return Err(where + ": [lint] assume_in_transaction: expected true or false");
      config->lint.assume_in_transaction = *v;
    } else if (k == "fail_on") {
      auto v = node.value<std::string>();
      if (!v || (*v != "none" && !ParseSeverity(*v))) {
        return Err(where + ": [lint] fail_on: expected info, warning, error or none");
      }
      config->lint.fail_on = *v;
    } else if (k == "paths") {
      const toml::array* arr = node.as_array();
      if (arr == nullptr) return Err(where + ": [lint] paths: expected an array of strings");
      for (const toml::node& p : *arr) {
        auto s = p.value<std::string>();
        if (!s) return Err(where + ": [lint] paths: expected an array of strings");
        config->lint.paths.push_back(*s);
      }
    } else {
      return Err(where + ": unknown key in [lint]: " + k);
    }
  }
  return Ok{};
}

Status ReadRules(const toml::table& rules, const std::string& path, Config* config) {
  for (const auto& [key, node] : rules) {
    std::string k(key.str());
    std::string where = Where(path, node.source());
    if (k == "enable" || k == "disable") {
      const toml::array* arr = node.as_array();
      if (arr == nullptr) return Err(where + ": [rules] " + k + ": expected an array of rule ids");
      for (const toml::node& n : *arr) {
        auto s = n.value<std::string>();
        if (!s) return Err(where + ": [rules] " + k + ": expected an array of rule ids");
        auto id = RuleId(*s, Where(path, n.source()));
        if (!id.ok()) return Err(id.error());
        (k == "enable" ? config->enable : config->disable).push_back(*id);
      }
      continue;
    }
    const toml::table* table = node.as_table();
    if (table == nullptr) return Err(where + ": unknown key in [rules]: " + k);
    auto id = RuleId(k, where);
    if (!id.ok()) return Err(id.error());
    RuleConfig& rc = config->rules[*id];
    for (const auto& [okey, onode] : *table) {
      std::string ok(okey.str());
      std::string owhere = Where(path, onode.source());
      if (ok == "severity") {
        auto s = onode.value<std::string>();
        auto sev = s ? ParseSeverity(*s) : std::nullopt;
        if (!sev) return Err(owhere + ": [rules." + k + "] severity: expected info, warning or error");
        rc.severity = *sev;
      } else if (ok == "enabled") {
        auto b = onode.value<bool>();
        if (!b) return Err(owhere + ": [rules." + k + "] enabled: expected true or false");
        rc.enabled = *b;
      } else {
        std::string text = ScalarText(onode);
        if (text.empty() && !onode.is_string()) return Err(owhere + ": [rules." + k + "] " + ok + ": expected a value");
        rc.options.Set(ok, text);
      }
    }
  }
  return Ok{};
}

}  // namespace

Result<Config> ParseConfig(std::string_view text, const std::string& path) {
  Config config;
  config.path = path;
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Err(path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  if (const toml::node* lint = root.get("lint")) {
    if (!lint->is_table()) return Err(Where(path, lint->source()) + ": [lint] must be a table");
    Status s = ReadLint(*lint->as_table(), path, &config);
    if (!s.ok()) return Err(s.error());
  }
  if (const toml::node* rules = root.get("rules")) {
    if (!rules->is_table()) return Err(Where(path, rules->source()) + ": [rules] must be a table");
    Status s = ReadRules(*rules->as_table(), path, &config);
    if (!s.ok()) return Err(s.error());
  }
  return config;
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(path + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path);
}

}  // namespace pgsift
