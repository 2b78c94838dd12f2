// Every rule, one line each. Adding a rule: its .cpp and .md in
// rules/<category>/, fixtures in fixtures/rules/<id>/, and a line here.
#include "pgsift/rule.h"

namespace pgsift {

// Factories defined in rules/<category>/<name>.cpp.

const std::vector<RuleFactory>& RuleRegistry() {
  static const std::vector<RuleFactory> kRules = {
  };
  return kRules;
}

}  // namespace pgsift
