// migration-require-lock-timeout: Lock-taking migration statements without a lock_timeout.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class RequireLockTimeout : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-require-lock-timeout",
                                {"require-lock-timeout"},
                                "Lock-taking migration statements without a lock_timeout",
                                Severity::kWarning,
                                RuleInput::kMigration,
                                "rules/migration/require_lock_timeout.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      if (st.lock_timeout_set || st.in_plpgsql) continue;
      std::string table = LockedTable(st);
      if (table.empty() || file.CreatedBefore(table, i)) continue;
      sink.Report(At(st,
                     "lock_timeout is not set before this statement locks " + table +
                         ": if it waits behind a long transaction, every query on the table queues behind it",
                     "SET lock_timeout = '2s'; at the top of the migration, and retry on timeout"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(RequireLockTimeout)

}  // namespace pgsift::migration
