#include "rule_selection.h"

namespace pgsift::cli {

void AddRuleSelectionOptions(CLI::App* cmd, RuleFlags* flags) {
  cmd->add_option("--set", flags->sets,
                  "Rule option RULE.KEY=VALUE (repeatable), e.g. workload-n-plus-one.min_burst=8");
  cmd->add_option("--disable", flags->disable, "Do not run this rule (repeatable)");
}

}  // namespace pgsift::cli
