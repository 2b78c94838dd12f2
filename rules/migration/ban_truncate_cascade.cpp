// migration-ban-truncate-cascade: TRUNCATE ... CASCADE also empties every table that references it.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class BanTruncateCascade : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-ban-truncate-cascade",
                                {"ban-truncate-cascade"},
                                "TRUNCATE ... CASCADE also empties every table that references it",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/ban_truncate_cascade.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationStatement& st : file.statements) {
      if (st.kind != "TruncateStmt" || Str(st.Node(), "behavior") != "DROP_CASCADE") continue;
      sink.Report(At(st, "TRUNCATE ... CASCADE also truncates every table with a foreign key to these, recursively",
                     "truncate the tables you mean by name, without CASCADE"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(BanTruncateCascade)

}  // namespace pgsift::migration
