// migration-ban-drop-database: DROP DATABASE in a migration.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class BanDropDatabase : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-ban-drop-database",  {"ban-drop-database"},
                                "DROP DATABASE in a migration", Severity::kError,
                                RuleInput::kMigration,          "rules/migration/ban_drop_database.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationStatement& st : file.statements) {
      if (st.kind != "DropdbStmt") continue;
      sink.Report(At(st, "DROP DATABASE " + Str(st.Node(), "dbname") + " in a migration destroys every table in it",
                     "drop databases by hand, never from a migration"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(BanDropDatabase)

}  // namespace pgsift::migration
