// Dispatches a fixture to its category's runner. Each category adds its
// runner here when its first rule lands.
#include "pgsift/rule.h"
#include "pgsift/workload_rules.h"

namespace pgsift {

Result<std::vector<Finding>> RunRuleOnFixture(Rule& rule, const std::string& path) {
  switch (rule.Info().input) {
    case RuleInput::kWorkload: {
      auto* w = dynamic_cast<WorkloadRule*>(&rule);
      if (w == nullptr) return Err(rule.Info().id + " is not a WorkloadRule");
      AnalyzeOptions options;
      options.inputs = {path};
      Result<AnalyzeResult> r = AnalyzeWithRules(options, {w});
      if (!r.ok()) return Err(r.error());
      if (!r->usable) return Err(path + ": nothing usable was read");
      return std::move(r->findings);
    }
    case RuleInput::kMigration:
    case RuleInput::kPgss:
    case RuleInput::kDatabase:
      break;
  }
  return Err("no fixture runner for rule " + rule.Info().id + " (input " + path + ")");
}

}  // namespace pgsift
