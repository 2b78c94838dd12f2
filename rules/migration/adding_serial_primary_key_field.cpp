// migration-adding-serial-primary-key-field: Adding a PRIMARY KEY (or a serial key column) builds its index under an
// ACCESS EXCLUSIVE lock.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class AddingSerialPrimaryKeyField : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        "migration-adding-serial-primary-key-field",
        {"adding-serial-primary-key-field"},
        "Adding a PRIMARY KEY (or a serial key column) builds its index under an ACCESS EXCLUSIVE lock",
        Severity::kError,
        RuleInput::kMigration,
        "rules/migration/adding_serial_primary_key_field.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      std::string table = RelName(Member(st.Node(), "relation"));
      if (file.CreatedBefore(table, i)) continue;
      for (const Json* cmd : AlterCmds(st)) {
        std::string sub = Str(*cmd, "subtype");
        bool bad = false;
        if (sub == "AT_AddConstraint") {
          const Json& con = Member(Member(*cmd, "def"), "Constraint");
          bad = Str(con, "contype") == "CONSTR_PRIMARY" && Str(con, "indexname").empty();
        } else if (sub == "AT_AddColumn") {
          const Json& def = Member(Member(*cmd, "def"), "ColumnDef");
          for (const Json* con : ColumnConstraints(def)) {
            if (Str(*con, "contype") == "CONSTR_PRIMARY") bad = true;
          }
        }
        if (!bad) continue;
        sink.Report(At(
            st, "adding a primary key to " + table + " builds its unique index while holding an ACCESS EXCLUSIVE lock",
            "CREATE UNIQUE INDEX CONCURRENTLY first, then ALTER TABLE ... ADD CONSTRAINT ... PRIMARY "
            "KEY USING INDEX"));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(AddingSerialPrimaryKeyField)

}  // namespace pgsift::migration
