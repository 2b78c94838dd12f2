// migration-changing-column-type: ALTER COLUMN TYPE takes an ACCESS EXCLUSIVE lock and usually rewrites the table.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class ChangingColumnType : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-changing-column-type",
                                {"changing-column-type"},
                                "ALTER COLUMN TYPE takes an ACCESS EXCLUSIVE lock and usually rewrites the table",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/changing_column_type.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      std::string table = RelName(Member(st.Node(), "relation"));
      if (file.CreatedBefore(table, i)) continue;
      for (const Json* cmd : AlterCmds(st)) {
        if (Str(*cmd, "subtype") != "AT_AlterColumnType") continue;
        std::string type = TypeDisplay(Member(Member(Member(*cmd, "def"), "ColumnDef"), "typeName"));
        sink.Report(At(st,
                       "changing the type of " + table + "." + Str(*cmd, "name") + " to " + type +
                           " locks the table (ACCESS EXCLUSIVE) and may rewrite it and its indexes",
                       "add a new column, backfill it in batches, switch readers and writers, then drop the old "
                       "one"));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(ChangingColumnType)

}  // namespace pgsift::migration
