// migration-disallowed-unique-constraint: ADD CONSTRAINT UNIQUE builds its index under an ACCESS EXCLUSIVE lock.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class DisallowedUniqueConstraint : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-disallowed-unique-constraint",
                                {"disallowed-unique-constraint"},
                                "ADD CONSTRAINT UNIQUE builds its index under an ACCESS EXCLUSIVE lock",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/disallowed_unique_constraint.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      std::string table = RelName(Member(st.Node(), "relation"));
      if (file.CreatedBefore(table, i)) continue;
      for (const Json* cmd : AlterCmds(st)) {
        if (Str(*cmd, "subtype") == "AT_AddColumn") {
          // ADD COLUMN ... UNIQUE builds the same index under the same lock.
          const Json& def = Member(Member(*cmd, "def"), "ColumnDef");
          for (const Json* con : ColumnConstraints(def)) {
            if (Str(*con, "contype") != "CONSTR_UNIQUE") continue;
            sink.Report(At(st,
                           "ADD COLUMN " + Str(def, "colname") + " UNIQUE on " + table +
                               " builds a unique index over every row while blocking reads and writes",
                           "add the column without UNIQUE, CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... "
                           "UNIQUE USING INDEX"));
          }
          continue;
        }
        if (Str(*cmd, "subtype") != "AT_AddConstraint") continue;
        const Json& con = Member(Member(*cmd, "def"), "Constraint");
        if (Str(con, "contype") != "CONSTR_UNIQUE" || !Str(con, "indexname").empty()) continue;
        sink.Report(At(st, "UNIQUE constraint on " + table + " builds its index while blocking reads and writes",
                       "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX"));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(DisallowedUniqueConstraint)

}  // namespace pgsift::migration
