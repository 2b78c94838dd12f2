// migration-require-statement-timeout: Lock-taking migration statements without a statement_timeout.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class RequireStatementTimeout : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-require-statement-timeout",
                                {"require-statement-timeout"},
                                "Lock-taking migration statements without a statement_timeout",
                                Severity::kWarning,
                                RuleInput::kMigration,
                                "rules/migration/require_statement_timeout.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      if (st.statement_timeout_set || st.in_plpgsql) continue;
      std::optional<TableLock> lock = ExistingTableLock(file, i);
      if (!lock) continue;
      std::string what = lock->unknown ? "DO block takes locks pgsift cannot know (its body was not read)"
                                       : "statement locks " + lock->table;
      sink.Report(At(st,
                     "statement_timeout is not set before this " + what +
                         ": a slow statement holds its lock for as long as it runs",
                     "SET statement_timeout = '5min'; at the top of the migration, and retry on timeout"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(RequireStatementTimeout)

}  // namespace pgsift::migration
