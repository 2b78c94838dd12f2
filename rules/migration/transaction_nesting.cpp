// migration-transaction-nesting: BEGIN inside a transaction, or BEGIN/COMMIT in a file the tool already wraps.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class TransactionNesting : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-transaction-nesting",
                                {"transaction-nesting"},
                                "BEGIN inside a transaction, or BEGIN/COMMIT in a file the tool already wraps",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/transaction_nesting.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationStatement& st : file.statements) {
      if (st.kind != "TransactionStmt" || st.in_plpgsql) continue;
      std::string kind = Str(st.Node(), "kind");
      bool begin = kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START";
      bool end = kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK";
      if (begin && st.transaction_depth > 0) {
        sink.Report(At(st,
                       "BEGIN inside an open transaction: PostgreSQL ignores it with a warning and the first "
                       "COMMIT ends both",
                       "remove the inner BEGIN/COMMIT pair"));
      } else if ((begin || end) && file.assume_in_transaction) {
        sink.Report(At(st,
                       std::string(begin ? "BEGIN" : "COMMIT/ROLLBACK") +
                           " in a file the migration tool already runs in a transaction",
                       "remove it and let the tool manage the transaction"));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(TransactionNesting)

}  // namespace pgsift::migration
