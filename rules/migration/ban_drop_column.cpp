// migration-ban-drop-column: Dropping a column breaks clients that still read or write it.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class BanDropColumn : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-ban-drop-column",
                                {"ban-drop-column"},
                                "Dropping a column breaks clients that still read or write it",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/ban_drop_column.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      std::string table = RelName(Member(st.Node(), "relation"));
      if (file.CreatedBefore(table, i)) continue;
      for (const Json* cmd : AlterCmds(st)) {
        if (Str(*cmd, "subtype") != "AT_DropColumn") continue;
        std::string column = Str(*cmd, "name");
        sink.Report(
            At(st, "dropping column " + table + "." + column + " breaks every query and ORM model that still uses it",
               "stop using the column in the application first and deploy that; then drop it"));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(BanDropColumn)

}  // namespace pgsift::migration
