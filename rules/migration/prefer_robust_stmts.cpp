// migration-prefer-robust-stmts: Outside a transaction, make statements re-runnable (IF [NOT] EXISTS).
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class PreferRobustStmts : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-prefer-robust-stmts",
                                {"prefer-robust-stmts"},
                                "Outside a transaction, make statements re-runnable (IF [NOT] EXISTS)",
                                Severity::kWarning,
                                RuleInput::kMigration,
                                "rules/migration/prefer_robust_stmts.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationStatement& st : file.statements) {
      if (st.in_transaction) continue;  // a failed transaction leaves nothing behind
      const Json& n = st.Node();
      std::string what;
      if (st.kind == "IndexStmt" && !Bool(n, "if_not_exists")) what = "CREATE INDEX without IF NOT EXISTS";
      if (st.kind == "CreateStmt" && !Bool(n, "if_not_exists")) what = "CREATE TABLE without IF NOT EXISTS";
      if (st.kind == "DropStmt" && !Bool(n, "missing_ok")) what = "DROP without IF EXISTS";
      for (const Json* cmd : AlterCmds(st)) {
        std::string sub = Str(*cmd, "subtype");
        if (sub == "AT_AddColumn" || sub == "AT_DropColumn" || sub == "AT_DropConstraint") {
          if (!Bool(*cmd, "missing_ok")) {
            what = sub == "AT_AddColumn"    ? "ADD COLUMN without IF NOT EXISTS"
                   : sub == "AT_DropColumn" ? "DROP COLUMN without IF EXISTS"
                                            : "DROP CONSTRAINT without IF EXISTS";
          }
        } else if (what.empty()) {
          // No IF [NOT] EXISTS form: only a transaction makes it re-runnable.
          what = "ALTER TABLE that has no IF [NOT] EXISTS form, run without a transaction,";
        }
      }
      if (st.kind == "RenameStmt") what = "RENAME, run without a transaction,";
      if (what.empty()) continue;
      bool needs_tx = what.find("without a transaction") != std::string::npos;
      sink.Report(At(st,
                     needs_tx ? what + " cannot be re-run if the migration fails after it"
                              : what + " outside a transaction: if the migration fails after it, re-running fails here",
                     needs_tx
                         ? "run the migration in a transaction (BEGIN ... COMMIT), so a failure leaves nothing behind"
                         : "add IF [NOT] EXISTS so a retried migration gets past statements that already ran"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(PreferRobustStmts)

}  // namespace pgsift::migration
