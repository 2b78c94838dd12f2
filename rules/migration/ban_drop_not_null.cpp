// migration-ban-drop-not-null: Dropping NOT NULL breaks clients that rely on the column having a value.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class BanDropNotNull : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-ban-drop-not-null",
                                {"ban-drop-not-null"},
                                "Dropping NOT NULL breaks clients that rely on the column having a value",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/ban_drop_not_null.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      std::string table = RelName(Member(st.Node(), "relation"));
      if (file.CreatedBefore(table, i)) continue;
      for (const Json* cmd : AlterCmds(st)) {
        if (Str(*cmd, "subtype") != "AT_DropNotNull") continue;
        std::string column = Str(*cmd, "name");
        sink.Report(At(
            st, "dropping NOT NULL on " + table + "." + column + " lets NULLs in that existing readers do not expect",
            "make sure every reader handles NULL before the change"));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(BanDropNotNull)

}  // namespace pgsift::migration
