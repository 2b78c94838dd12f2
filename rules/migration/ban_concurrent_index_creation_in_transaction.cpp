// migration-ban-concurrent-index-creation-in-transaction: CREATE/DROP INDEX CONCURRENTLY cannot run inside a
// transaction.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class BanConcurrentIndexCreationInTransaction : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-ban-concurrent-index-creation-in-transaction",
                                {"ban-concurrent-index-creation-in-transaction"},
                                "CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/ban_concurrent_index_creation_in_transaction.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationStatement& st : file.statements) {
      bool concurrent_index = st.kind == "IndexStmt" && Bool(st.Node(), "concurrent");
      bool concurrent_drop =
          st.kind == "DropStmt" && Str(st.Node(), "removeType") == "OBJECT_INDEX" && Bool(st.Node(), "concurrent");
      if (!concurrent_index && !concurrent_drop) continue;
      if (!st.in_transaction && !file.implicit_multi_statement_transaction) continue;
      std::string why = st.in_plpgsql                ? "inside a DO block, which is one transaction"
                        : st.transaction_depth > 0   ? "after BEGIN"
                        : file.assume_in_transaction ? "in a file the migration tool runs in a transaction"
                                                     : "in a golang-migrate file of several statements, which "
                                                       "PostgreSQL runs as one multi-statement transaction";
      sink.Report(At(
          st,
          std::string(concurrent_index ? "CREATE" : "DROP") + " INDEX CONCURRENTLY " + why + ": PostgreSQL refuses it",
          "run it in its own migration without a transaction (e.g. Flyway "
          "executeInTransaction=false, golang-migrate one statement per file)"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(BanConcurrentIndexCreationInTransaction)

}  // namespace pgsift::migration
