// PredictStatement (engine/check_trace.h): the lint's lock model (util.h)
// per statement, for `check`'s trace to confirm or refute.
#include "migration/util.h"
#include "pgsift/check_trace.h"

namespace pgsift {

LintPrediction PredictStatement(const MigrationFile& file, size_t index) {
  LintPrediction out;
  auto add = [&](size_t i) {
    const MigrationStatement& st = file.statements[i];
    // A new table's foreign key to itself locks nothing that exists.
    std::string created = st.kind == "CreateStmt" ? migration::RelName(migration::Member(st.Node(), "relation")) : "";
    for (const migration::TableLock& lock : migration::StatementLocks(file, i)) {
      // A DO block whose body was not read: its locks are unknown, so the
      // trace's "lint missed" says what they were.
      if (lock.unknown || lock.table == created || file.CreatedBefore(lock.table, i)) continue;
      out.locks.push_back({lock.schema, lock.table, lock.mode, lock.blocks_reads});
    }
    if (auto rewrite = migration::Rewrite(file, i); rewrite && !file.CreatedBefore(rewrite->table, i)) {
      out.rewrites.push_back({rewrite->schema, rewrite->table});
    }
  };
  add(index);
  // A DO block: what its body's statements (the ones after it) predict.
  if (file.statements[index].kind == "DoStmt") {
    for (size_t i = index + 1; i < file.statements.size() && file.statements[i].in_plpgsql; ++i) add(i);
  }
  return out;
}

}  // namespace pgsift
