// migration-backfill-in-ddl-transaction: an UPDATE of every row of an existing
// table in the same transaction as DDL that locked it: the DDL's lock (ACCESS
// EXCLUSIVE for ADD COLUMN) is held until the whole backfill commits.
#include <map>

#include "migration/util.h"

namespace pgsift::migration {

namespace {

// An UPDATE that touches every row, or every row of a backfill: no WHERE, or
// a WHERE that only asks whether columns are NULL (`WHERE new_col IS NULL`).
bool UpdatesEveryRow(const Json& update) {
  const Json& where = Member(update, "whereClause");
  if (!where.is_object() || where.empty()) return true;
  const Json& null_test = Member(where, "NullTest");
  if (null_test.is_object()) return true;
  const Json& bool_expr = Member(where, "BoolExpr");
  if (!bool_expr.is_object() || Str(bool_expr, "boolop") != "OR_EXPR") return false;
  for (const Json& arg : Member(bool_expr, "args")) {
    if (!Member(arg, "NullTest").is_object()) return false;
  }
  return true;
}

class BackfillInDdlTransaction : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-backfill-in-ddl-transaction",
                                {},
                                "An UPDATE of every row in the same transaction as DDL on the table holds the DDL's "
                                "lock for the whole backfill",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/backfill_in_ddl_transaction.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    // Table → the statement of the current transaction that locked it most.
    std::map<std::string, std::pair<size_t, TableLock>> held;
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      bool in_tx = st.in_transaction || file.implicit_multi_statement_transaction;
      // BEGIN, COMMIT, ROLLBACK, or autocommit (each statement, or each DO
      // block with its body, its own transaction): nothing is held any more.
      if (st.kind == "TransactionStmt" || !in_tx) {
        held.clear();
        continue;
      }
      if (st.kind == "UpdateStmt") {
        std::string table = RelName(Member(st.Node(), "relation"));
        auto it = held.find(table);
        if (it == held.end() || !UpdatesEveryRow(st.Node())) continue;
        const auto& [at, lock] = it->second;
        sink.Report(At(st,
                       "this UPDATE rewrites every row of " + table + " in the transaction of line " +
                           std::to_string(file.statements[at].location.line) + ", which holds " + lock.mode +
                           " on it: " + (lock.blocks_reads ? "reads and writes" : "writes") +
                           " wait until the whole backfill commits",
                       "commit the DDL first, then backfill in batches in their own transactions (UPDATE ... "
                       "WHERE id BETWEEN ...), outside any DDL transaction"));
        continue;
      }
      std::optional<TableLock> lock = BlockingLock(st);
      if (!lock || st.kind == "CreateStmt" || file.CreatedBefore(lock->table, i)) continue;
      auto it = held.find(lock->table);
      if (it == held.end() || (lock->blocks_reads && !it->second.second.blocks_reads)) {
        held[lock->table] = {i, *lock};
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(BackfillInDdlTransaction)

}  // namespace pgsift::migration
