// migration-adding-foreign-key-constraint: A foreign key added without NOT VALID scans the table while locking both
// tables.
#include <vector>

#include "migration/util.h"

namespace pgsift::migration {

namespace {

class AddingForeignKeyConstraint : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-adding-foreign-key-constraint",
                                {"adding-foreign-key-constraint"},
                                "A foreign key added without NOT VALID scans the table while locking both tables",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/adding_foreign_key_constraint.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      std::string table = RelName(Member(st.Node(), "relation"));
      // An empty new table has nothing to scan; one filled by CREATE TABLE AS
      // has every copied row checked while the referenced table is locked.
      if (file.CreatedEmptyBefore(table, i)) continue;
      std::string copied;
      if (file.CreatedBefore(table, i)) {
        copied = " (every row CREATE TABLE AS copied at line " +
                 std::to_string(file.statements[file.created_tables.at(table)].location.line) + ")";
      }
      for (const Json* cmd : AlterCmds(st)) {
        std::string sub = Str(*cmd, "subtype");
        std::vector<const Json*> fks;
        if (sub == "AT_AddConstraint") {
          fks.push_back(&Member(Member(*cmd, "def"), "Constraint"));
        } else if (sub == "AT_AddColumn") {
          fks = ColumnConstraints(Member(Member(*cmd, "def"), "ColumnDef"));
        }
        for (const Json* con : fks) {
          if (Str(*con, "contype") != "CONSTR_FOREIGN" || Bool(*con, "skip_validation")) continue;
          sink.Report(At(st,
                         "foreign key from " + table + " to " + QualifiedName(Member(*con, "pktable")) +
                             " is validated at once: both tables are locked (SHARE ROW EXCLUSIVE) while " + table +
                             " is scanned" + copied,
                         "add it NOT VALID, then VALIDATE CONSTRAINT in a separate transaction"));
        }
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(AddingForeignKeyConstraint)

}  // namespace pgsift::migration
