// migration-adding-field-with-default: ADD COLUMN with a volatile default (or any default before PostgreSQL 11)
// rewrites the table.
#include <set>

#include "migration/util.h"

namespace pgsift::migration {

namespace {

class AddingFieldWithDefault : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        "migration-adding-field-with-default",
        {"adding-field-with-default"},
        "ADD COLUMN with a volatile default (or any default before PostgreSQL 11) rewrites the table",
        Severity::kError,
        RuleInput::kMigration,
        "rules/migration/adding_field_with_default.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      for (const ColumnDefAt& col : ColumnDefs(st)) {
        if (col.in_create_table || file.CreatedBefore(col.table, i)) continue;
        // serial and identity columns: a sequence value for every existing row.
        static const std::set<std::string> kSerial = {"smallserial", "serial",  "bigserial",
                                                      "serial2",     "serial4", "serial8"};
        std::string base = TypeBaseName(Member(*col.def, "typeName"));
        bool identity = false;
        for (const Json* con : ColumnConstraints(*col.def)) identity |= Str(*con, "contype") == "CONSTR_IDENTITY";
        if (kSerial.count(base) || identity) {
          sink.Report(At(st,
                         "ADD COLUMN " + Str(*col.def, "colname") + " " +
                             (identity ? std::string("GENERATED AS IDENTITY") : base) +
                             " gives every existing row a sequence value: it rewrites " + col.table +
                             " under an ACCESS EXCLUSIVE lock",
                         "add a nullable bigint column, attach the sequence as its default, backfill existing rows "
                         "in batches, then add NOT NULL (and the identity or primary key) once it is filled"));
        }
        for (const Json* con : ColumnConstraints(*col.def)) {
          std::string type = Str(*con, "contype");
          std::string column = Str(*col.def, "colname");
          if (type == "CONSTR_GENERATED") {
            sink.Report(At(st,
                           "adding stored generated column " + column + " rewrites " + col.table +
                               " under an ACCESS EXCLUSIVE lock",
                           "add a plain nullable column, backfill it in batches, then use a trigger"));
          } else if (type == "CONSTR_DEFAULT") {
            std::string volatile_fn = VolatileCall(Member(*con, "raw_expr"));
            if (file.pg_version < 11) {
              sink.Report(At(st,
                             "ADD COLUMN " + column + " with a DEFAULT rewrites " + col.table +
                                 " before PostgreSQL 11 (target: " + std::to_string(file.pg_version) + ")",
                             "add the column without a default, set the default in a second statement, "
                             "and backfill existing rows in batches"));
            } else if (!volatile_fn.empty()) {
              sink.Report(At(st,
                             "ADD COLUMN " + column + " with the volatile default " + volatile_fn + "() rewrites " +
                                 col.table + " under an ACCESS EXCLUSIVE lock",
                             "add the column without a default (or with a constant one), then backfill in "
                             "batches and set the default afterwards"));
            }
          }
        }
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(AddingFieldWithDefault)

}  // namespace pgsift::migration
