// migration-require-enum-value-ordering: ALTER TYPE ... ADD VALUE without BEFORE or AFTER on an existing enum.
#include <set>

#include "migration/util.h"

namespace pgsift::migration {

namespace {

// "schema.name" or "name" of a type's name list.
std::string TypeName(const Json& names) {
  std::string out;
  for (const Json& n : names) out += (out.empty() ? "" : ".") + Sval(n);
  return out;
}

class RequireEnumValueOrdering : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-require-enum-value-ordering",
                                {"require-enum-value-ordering"},
                                "ALTER TYPE ... ADD VALUE without BEFORE or AFTER on an existing enum",
                                Severity::kWarning,
                                RuleInput::kMigration,
                                "rules/migration/require_enum_value_ordering.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    // Enums created earlier in the file: their whole order is written above.
    std::set<std::string> created;
    for (const MigrationStatement& st : file.statements) {
      const Json& n = st.Node();
      if (st.kind == "CreateEnumStmt") {
        created.insert(TypeName(Member(n, "typeName")));
        continue;
      }
      if (st.kind != "AlterEnumStmt") continue;
      // RENAME VALUE names the old value; ADD VALUE only the new one.
      if (!Str(n, "oldVal").empty() || Str(n, "newVal").empty() || !Str(n, "newValNeighbor").empty()) continue;
      std::string type = TypeName(Member(n, "typeName"));
      if (created.count(type)) continue;
      sink.Report(At(st,
                     "ADD VALUE '" + Str(n, "newVal") + "' without BEFORE or AFTER puts it last in " + type +
                         ": ORDER BY, <, > and min/max on the column sort it after every existing value",
                     "say where it goes: ADD VALUE '" + Str(n, "newVal") +
                         "' BEFORE (or AFTER) an existing value; if last is right, AFTER the current last value"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(RequireEnumValueOrdering)

}  // namespace pgsift::migration
