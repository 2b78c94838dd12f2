// migration-unused-ignore: a `-- pgsift-ignore` comment that suppressed
// nothing. LintMigration reports it (it needs every other rule's findings);
// the class only gives the rule its id, doc and severity.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class UnusedIgnore : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-unused-ignore",
                                {},
                                "A pgsift-ignore comment that suppressed nothing",
                                Severity::kWarning,
                                RuleInput::kMigration,
                                "rules/migration/unused_ignore.md"};
    return kInfo;
  }
  void Check(const MigrationFile& /*file*/, FindingSink& /*sink*/) const override {}
};

}  // namespace

PGSIFT_MIGRATION_RULE(UnusedIgnore)

}  // namespace pgsift::migration
