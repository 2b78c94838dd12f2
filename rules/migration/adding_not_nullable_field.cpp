// migration-adding-not-nullable-field: SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class AddingNotNullableField : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-adding-not-nullable-field",
                                {"adding-not-nullable-field"},
                                "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/adding_not_nullable_field.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      std::string table = RelName(Member(st.Node(), "relation"));
      if (file.CreatedBefore(table, i)) continue;
      for (const Json* cmd : AlterCmds(st)) {
        if (Str(*cmd, "subtype") != "AT_SetNotNull") continue;
        std::string col = Str(*cmd, "name");
        std::string help = file.pg_version >= 12
                               ? "add CHECK (" + col +
                                     " IS NOT NULL) NOT VALID, VALIDATE it in a later "
                                     "statement, then SET NOT NULL (PostgreSQL 12+ uses the check and skips the scan)"
                               : "before PostgreSQL 12 use a CHECK (" + col +
                                     " IS NOT NULL) NOT VALID constraint "
                                     "instead of NOT NULL";
        sink.Report(
            At(st, "SET NOT NULL on " + table + "." + col + " scans the table while holding an ACCESS EXCLUSIVE lock",
               help));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(AddingNotNullableField)

}  // namespace pgsift::migration
