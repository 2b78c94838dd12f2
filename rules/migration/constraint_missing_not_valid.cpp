// migration-constraint-missing-not-valid: CHECK and FOREIGN KEY constraints on existing tables should be added NOT
// VALID and validated separately.
#include <map>

#include "migration/util.h"

namespace pgsift::migration {

namespace {

class ConstraintMissingNotValid : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        "migration-constraint-missing-not-valid",
        {"constraint-missing-not-valid"},
        "CHECK and FOREIGN KEY constraints on existing tables should be added NOT VALID and validated separately",
        Severity::kError,
        RuleInput::kMigration,
        "rules/migration/constraint_missing_not_valid.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    std::map<std::string, size_t> not_valid_at;  // constraint → statement that added it NOT VALID
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      std::string table = RelName(Member(st.Node(), "relation"));
      for (const Json* cmd : AlterCmds(st)) {
        std::string sub = Str(*cmd, "subtype");
        if (sub == "AT_AddConstraint") {
          const Json& con = Member(Member(*cmd, "def"), "Constraint");
          std::string type = Str(con, "contype");
          if (type != "CONSTR_CHECK" && type != "CONSTR_FOREIGN") continue;
          if (Bool(con, "skip_validation")) {
            not_valid_at[Str(con, "conname")] = i;
            continue;
          }
          // A CHECK on a new table blocks no one; a foreign key on one filled
          // by CREATE TABLE AS locks the referenced table while it scans.
          if (type == "CONSTR_CHECK" ? file.CreatedBefore(table, i) : file.CreatedEmptyBefore(table, i)) continue;
          sink.Report(At(st,
                         std::string(type == "CONSTR_CHECK" ? "CHECK" : "FOREIGN KEY") + " constraint " +
                             Str(con, "conname") + " on " + table + " is validated while the table is locked",
                         "add it NOT VALID, then VALIDATE CONSTRAINT in a separate transaction"));
        } else if (sub == "AT_ValidateConstraint") {
          auto it = not_valid_at.find(Str(*cmd, "name"));
          if (it == not_valid_at.end() || !st.in_transaction || !file.statements[it->second].in_transaction) {
            continue;
          }
          bool same_tx = true;
          for (size_t k = it->second + 1; k < i; ++k) {
            const MigrationStatement& between = file.statements[k];
            if (between.kind == "TransactionStmt") same_tx = false;
          }
          if (!same_tx) continue;
          sink.Report(At(st,
                         "VALIDATE CONSTRAINT " + Str(*cmd, "name") +
                             " in the same transaction as its NOT VALID add keeps the lock of the add",
                         "commit after adding the constraint NOT VALID and validate it in a new transaction"));
        }
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(ConstraintMissingNotValid)

}  // namespace pgsift::migration
