// migration-renaming-column: Renaming a column breaks clients that use the old name.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class RenamingColumn : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-renaming-column",
                                {"renaming-column"},
                                "Renaming a column breaks clients that use the old name",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/renaming_column.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationStatement& st : file.statements) {
      if (st.kind != "RenameStmt" || Str(st.Node(), "renameType") != "OBJECT_COLUMN") continue;
      sink.Report(At(st,
                     "renaming " + QualifiedName(Member(st.Node(), "relation")) + "." + Str(st.Node(), "subname") +
                         " to " + Str(st.Node(), "newname") + " breaks every client still using the old name",
                     "add the new column, write both, backfill, switch readers, then drop the old column"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(RenamingColumn)

}  // namespace pgsift::migration
