// migration-ban-uncommitted-transaction: BEGIN without a matching COMMIT.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class BanUncommittedTransaction : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-ban-uncommitted-transaction",
                                {"ban-uncommitted-transaction"},
                                "BEGIN without a matching COMMIT",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/ban_uncommitted_transaction.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (size_t index : file.unterminated_begins) {
      sink.Report(At(file.statements[index], "BEGIN without COMMIT: the transaction stays open when the file ends",
                     "end the file with COMMIT"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(BanUncommittedTransaction)

}  // namespace pgsift::migration
