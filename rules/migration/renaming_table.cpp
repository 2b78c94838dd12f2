// migration-renaming-table: Renaming a table breaks clients that use the old name.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class RenamingTable : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        "migration-renaming-table", {"renaming-table"},    "Renaming a table breaks clients that use the old name",
        Severity::kError,           RuleInput::kMigration, "rules/migration/renaming_table.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationStatement& st : file.statements) {
      if (st.kind != "RenameStmt" || Str(st.Node(), "renameType") != "OBJECT_TABLE") continue;
      sink.Report(At(st,
                     "renaming table " + QualifiedName(Member(st.Node(), "relation")) + " to " +
                         Str(st.Node(), "newname") + " breaks every client still using the old name",
                     "create a view with the old name while clients move, or deploy the rename with the code"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(RenamingTable)

}  // namespace pgsift::migration
