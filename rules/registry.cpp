// Every rule, one line each. Adding a rule: its .cpp and .md in
// rules/<category>/, fixtures in fixtures/rules/<id>/, and a line here.
#include "pgsift/rule.h"

namespace pgsift {

// Factories defined in rules/<category>/<name>.cpp.
std::unique_ptr<Rule> MakeNPlusOneRule();
std::unique_ptr<Rule> MakeRepeatedIdenticalQueryRule();

const std::vector<RuleFactory>& RuleRegistry() {
  static const std::vector<RuleFactory> kRules = {
      MakeNPlusOneRule,
      MakeRepeatedIdenticalQueryRule,
  };
  return kRules;
}

}  // namespace pgsift
