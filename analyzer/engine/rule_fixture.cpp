// Dispatches a fixture to its category's runner. Each category adds its
// runner here when its first rule lands.
#include "pgsift/rule.h"

namespace pgsift {

Result<std::vector<Finding>> RunRuleOnFixture(Rule& rule, const std::string& path) {
  switch (rule.Info().input) {
    case RuleInput::kMigration:
    case RuleInput::kWorkload:
    case RuleInput::kPgss:
    case RuleInput::kDatabase:
      break;
  }
  return Err("no fixture runner for rule " + rule.Info().id + " (input " + path + ")");
}

}  // namespace pgsift
