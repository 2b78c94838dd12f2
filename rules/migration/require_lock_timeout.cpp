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
      // DDL inside a DO block waits for its lock like any other (squawk does
      // not look inside DO bodies).
      if (st.lock_timeout_set) continue;
      std::optional<TableLock> lock = ExistingTableLock(file, i);
      if (!lock) continue;
      if (lock->unknown) {
        sink.Report(At(st,
                       "lock_timeout is not set before this DO block, whose locks are unknown: pgsift could not read "
                       "its body, and DDL inside it waits for its locks like any other statement",
                       "SET lock_timeout = '2s'; at the top of the migration (or set_config('lock_timeout', '2s', "
                       "true) inside the block), and retry on timeout"));
        continue;
      }
      const std::string& table = lock->table;
      sink.Report(At(st,
                     std::string("lock_timeout is not set before this ") +
                         (st.in_plpgsql ? "statement of a DO block" : "statement") + " locks " + table +
                         ": if it waits behind a long transaction, every query on the table queues behind it",
                     "SET lock_timeout = '2s'; at the top of the migration, and retry on timeout"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(RequireLockTimeout)

}  // namespace pgsift::migration
