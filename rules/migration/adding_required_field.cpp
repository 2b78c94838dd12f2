// migration-adding-required-field: ADD COLUMN NOT NULL without a DEFAULT fails on a table with rows.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class AddingRequiredField : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-adding-required-field",
                                {"adding-required-field"},
                                "ADD COLUMN NOT NULL without a DEFAULT fails on a table with rows",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/adding_required_field.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      for (const ColumnDefAt& col : ColumnDefs(st)) {
        if (col.in_create_table || file.CreatedBefore(col.table, i)) continue;
        bool not_null = false, has_default = false;
        for (const Json* con : ColumnConstraints(*col.def)) {
          std::string type = Str(*con, "contype");
          if (type == "CONSTR_NOTNULL" || type == "CONSTR_PRIMARY") not_null = true;
          if (type == "CONSTR_DEFAULT" || type == "CONSTR_GENERATED" || type == "CONSTR_IDENTITY") has_default = true;
        }
        std::string base = TypeBaseName(Member(*col.def, "typeName"));
        if (base.find("serial") != std::string::npos) has_default = true;
        if (!not_null || has_default) continue;
        sink.Report(At(st,
                       "ADD COLUMN " + Str(*col.def, "colname") + " NOT NULL without a DEFAULT fails if " + col.table +
                           " has rows",
                       "add a DEFAULT, or add the column nullable, backfill it, then add the NOT NULL"));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(AddingRequiredField)

}  // namespace pgsift::migration
