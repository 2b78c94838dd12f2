#include "cli/rule_selection.h"

namespace pgsift::cli {

void AddRuleSelectionOptions(CLI::App* cmd, RuleSelection* selection) {
  cmd->add_option("--set", selection->sets,
                  "Rule option RULE.KEY=VALUE (repeatable), e.g. workload-n-plus-one.min_burst=8");
  cmd->add_option("--disable", selection->disabled, "Do not run this rule (repeatable)");
}

Status ResolveRuleSelection(RuleSelection* selection) {
  for (const std::string& set : selection->sets) {
    size_t dot = set.find('.'), eq = set.find('=');
    if (dot == std::string::npos || eq == std::string::npos || dot > eq) {
      return Err("--set " + set + ": expected RULE.KEY=VALUE");
    }
    auto rule = MakeRule(set.substr(0, dot));
    if (!rule) return Err("--set " + set + ": unknown rule");
    selection->settings[{rule->Info().id, set.substr(dot + 1, eq - dot - 1)}] = set.substr(eq + 1);
  }
  for (const std::string& id : selection->disabled) {
    auto rule = MakeRule(id);
    if (!rule) return Err("--disable " + id + ": unknown rule");
    selection->disabled_ids.insert(rule->Info().id);
  }
  return Ok{};
}

}  // namespace pgsift::cli
