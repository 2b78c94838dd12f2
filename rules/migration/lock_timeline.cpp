// PredictLockTimeline (engine/lock_timeline.h): the lint's lock model
// (util.h, StatementLocks) walked through the file's transactions.
#include <map>

#include "migration/util.h"
#include "pgsift/check_trace.h"
#include "pgsift/lock_timeline.h"

namespace pgsift {

std::vector<TransactionLocks> PredictLockTimeline(const MigrationFile& file) {
  std::vector<TransactionLocks> out;
  TransactionLocks current;
  std::map<std::string, size_t> span_of;  // table → its span in current
  bool open = false, alone = false;       // alone: a statement outside any transaction block
  int number = 0, best = 0;
  auto begin = [&] {
    current = TransactionLocks{};
    current.transaction = ++number;
    span_of.clear();
    open = true;
    best = 0;
  };
  auto end = [&](uint32_t to_line, bool rolled_back) {
    if (!open) return;
    for (LockSpan& s : current.spans) {
      s.to_line = to_line;
      s.rolled_back = rolled_back;
    }
    if (!current.spans.empty()) out.push_back(std::move(current));
    open = alone = false;
  };
  // Flyway, diesel, dbmate, goose, a golang-migrate file of several
  // statements: the tool's one transaction around the whole file.
  bool wrapped = file.assume_in_transaction || file.implicit_multi_statement_transaction;
  uint32_t top_line = 0;
  const size_t n = file.statements.size();
  for (size_t i = 0; i < n; ++i) {
    const MigrationStatement& st = file.statements[i];
    if (st.kind == "TransactionStmt") {
      std::string kind = migration::Str(st.Node(), "kind");
      if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
        if (!open) begin();
        continue;
      }
      if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK" || kind == "TRANS_STMT_PREPARE") {
        end(st.location.line, kind == "TRANS_STMT_ROLLBACK");
        continue;
      }
    }
    if (!st.in_plpgsql) {
      top_line = st.location.line;
      if (!open) {
        begin();
        alone = !st.in_transaction && !wrapped;
      }
      for (LockSpan& s : current.spans) ++s.statements;  // held across this statement too
    }
    std::string created = st.kind == "CreateStmt" ? migration::RelName(migration::Member(st.Node(), "relation")) : "";
    for (const migration::TableLock& lock : migration::StatementLocks(file, i)) {
      std::string table = lock.unknown ? "(DO block: locks unknown)" : lock.table;
      if (!lock.unknown && (lock.table == created || file.CreatedBefore(lock.table, i))) continue;
      if (!BlocksWrites(lock.mode)) continue;
      auto it = span_of.find(table);
      if (it == span_of.end()) {
        LockSpan s;
        s.transaction = current.transaction;
        s.table = table;
        s.mode = lock.mode;
        s.blocks_reads = lock.blocks_reads;
        s.from_line = st.location.line;
        s.statements = 1;
        span_of[table] = current.spans.size();
        current.spans.push_back(std::move(s));
      } else if (LockRank(lock.mode) > LockRank(current.spans[it->second].mode)) {
        current.spans[it->second].mode = lock.mode;
        current.spans[it->second].blocks_reads = lock.blocks_reads;
      }
      if (LockRank(lock.mode) > best) {
        best = LockRank(lock.mode);
        current.strongest = i;
      }
    }
    // A statement alone is over with its last DO-body statement.
    if (alone && (i + 1 == n || !file.statements[i + 1].in_plpgsql)) end(top_line, false);
  }
  end(0, false);  // a transaction left open, or the tool's: to the end of the file
  return out;
}

}  // namespace pgsift
