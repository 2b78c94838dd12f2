// --set RULE.KEY=VALUE and --disable RULE, shared by the subcommands that run
// rules (analyze, report).
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "pgsift/result.h"
#include "pgsift/rule.h"

namespace pgsift::cli {

struct RuleSelection {
  std::vector<std::string> sets, disabled;                              // as given on the command line
  std::map<std::pair<std::string, std::string>, std::string> settings;  // (rule id, key) -> value
  std::set<std::string> disabled_ids;
};

// Adds --set and --disable to `cmd`, filling `selection`.
void AddRuleSelectionOptions(CLI::App* cmd, RuleSelection* selection);

// Resolves names and aliases; errors name the bad --set or --disable.
Status ResolveRuleSelection(RuleSelection* selection);

// Configures every rule with its --set values; returns the ones not
// disabled. An error names the rule and the option it rejected.
template <class R>
Result<std::vector<R*>> ConfigureRules(const std::vector<std::unique_ptr<R>>& rules, const RuleSelection& selection) {
  std::vector<R*> active;
  for (const auto& rule : rules) {
    RuleOptions options;
    for (const auto& [key, value] : selection.settings) {
      if (key.first == rule->Info().id) options.Set(key.second, value);
    }
    Status configured = rule->Configure(options);
    if (!configured.ok()) return Err(rule->Info().id + ": " + configured.error());
    if (!selection.disabled_ids.count(rule->Info().id)) active.push_back(rule.get());
  }
  return active;
}

}  // namespace pgsift::cli
