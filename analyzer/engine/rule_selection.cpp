#include <algorithm>
#include <filesystem>

#include "pgsift/config.h"

namespace pgsift {

Result<Config> LoadProjectConfig(const std::string& path) {
  std::string config_path = path;
  if (config_path.empty() && std::filesystem::exists(".pgsift.toml")) config_path = ".pgsift.toml";
  if (config_path.empty()) return Config{};
  return LoadConfig(config_path);
}

Status AddRuleFlags(const RuleFlags& flags, RuleSelection* selection) {
  for (const std::string& set : flags.sets) {
    size_t dot = set.find('.'), eq = set.find('=');
    if (dot == std::string::npos || eq == std::string::npos || dot > eq) {
      return Err("--set " + set + ": expected RULE.KEY=VALUE");
    }
    auto rule = MakeRule(set.substr(0, dot));
    if (!rule) return Err("--set " + set + ": unknown rule");
    selection->sets[rule->Info().id][set.substr(dot + 1, eq - dot - 1)] = set.substr(eq + 1);
  }
  for (const auto& [names, flag, out] : {std::tuple{&flags.enable, "--enable", &selection->enable},
                                         std::tuple{&flags.disable, "--disable", &selection->disable}}) {
    for (const std::string& name : *names) {
      auto rule = MakeRule(name);
      if (!rule)
        return Err(flags.flag_in_errors ? std::string(flag) + " " + name + ": unknown rule" : "unknown rule " + name);
      out->insert(rule->Info().id);
    }
  }
  return Ok{};
}

namespace {

// Whether `enable` names a rule of `id`'s category (RuleInput).
bool NamesCategoryOf(const std::vector<std::string>& enable, const std::string& id) {
  auto rule = MakeRule(id);
  if (!rule) return true;
  return std::any_of(enable.begin(), enable.end(), [&](const std::string& name) {
    auto named = MakeRule(name);
    return named && named->Info().input == rule->Info().input;
  });
}

}  // namespace

RuleChoice ChooseRule(const std::string& id, const RuleSelection& selection) {
  const Config& config = selection.config;
  RuleChoice choice;
  choice.enabled = config.enable.empty() || std::count(config.enable.begin(), config.enable.end(), id) ||
                   !NamesCategoryOf(config.enable, id);
  if (std::count(config.disable.begin(), config.disable.end(), id)) choice.enabled = false;
  auto rc = config.rules.find(id);
  if (rc != config.rules.end()) {
    if (rc->second.enabled) choice.enabled = *rc->second.enabled;
    choice.options = rc->second.options;
    choice.severity = rc->second.severity;
  }
  if (selection.enable.count(id)) choice.enabled = true;
  if (selection.disable.count(id)) choice.enabled = false;
  auto set = selection.sets.find(id);
  if (set != selection.sets.end()) {
    for (const auto& [key, value] : set->second) choice.options.Set(key, value);
  }
  return choice;
}

std::string RuleOptionError(const std::string& id, const std::string& error, const RuleSelection& selection) {
  std::string where =
      selection.config_path_in_errors && !selection.config.path.empty() ? selection.config.path + ": " : "";
  return where + id + ": " + error;
}

void ApplySeverities(const std::map<std::string, SeverityOverride>& severities, std::vector<Finding>* findings) {
  for (Finding& f : *findings) {
    auto it = severities.find(f.rule_id);
    if (it != severities.end() && f.severity == it->second.rule) f.severity = it->second.configured;
  }
}

}  // namespace pgsift
