// migration-adding-field-with-default: ADD COLUMN with a volatile default (or any default before PostgreSQL 11)
// rewrites the table.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

// Functions whose result is fixed for the statement (immutable or stable),
// so PostgreSQL 11+ stores the default once instead of rewriting the table.
bool NonVolatile(const std::string& name) {
  static const std::set<std::string> kSafe = {"now",
                                              "statement_timestamp",
                                              "transaction_timestamp",
                                              "current_timestamp",
                                              "current_date",
                                              "localtimestamp",
                                              "lower",
                                              "upper",
                                              "btrim",
                                              "trim",
                                              "concat",
                                              "coalesce",
                                              "greatest",
                                              "least",
                                              "abs",
                                              "round",
                                              "length",
                                              "to_jsonb",
                                              "to_json",
                                              "jsonb_build_object",
                                              "json_build_object",
                                              "jsonb_build_array",
                                              "array_length",
                                              "make_interval",
                                              "make_date",
                                              "make_timestamp",
                                              "make_timestamptz",
                                              "timezone",
                                              "date_trunc",
                                              "md5"};
  return kSafe.count(name) > 0;
}

// The name of the first function call in `expr` that may be volatile.
std::string VolatileCall(const Json& expr) {
  if (expr.is_array()) {
    for (const Json& e : expr) {
      if (std::string f = VolatileCall(e); !f.empty()) return f;
    }
    return "";
  }
  if (!expr.is_object()) return "";
  for (const auto& [key, value] : expr.items()) {
    if (key == "FuncCall") {
      const Json& names = Get(value, "funcname");
      std::string name = names.is_array() && !names.empty() ? Str(Get(names.back(), "String"), "sval") : "";
      if (!NonVolatile(name)) return name;
    }
    if (std::string f = VolatileCall(value); !f.empty()) return f;
  }
  return "";
}

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
        for (const Json* con : ColumnConstraints(*col.def)) {
          std::string type = Str(*con, "contype");
          std::string column = Str(*col.def, "colname");
          if (type == "CONSTR_GENERATED") {
            sink.Report(At(st,
                           "adding stored generated column " + column + " rewrites " + col.table +
                               " under an ACCESS EXCLUSIVE lock",
                           "add a plain nullable column, backfill it in batches, then use a trigger"));
          } else if (type == "CONSTR_DEFAULT") {
            std::string volatile_fn = VolatileCall(Get(*con, "raw_expr"));
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
