// The lock timeline of a migration file: per transaction, which existing
// tables end up locked in which mode, from the statement that took the lock
// to the end of its transaction, across how many statements. `pgsift lint`
// predicts it from its lock model (PredictLockTimeline); `pgsift check`
// observes one on the scratch database (check_trace.h's BlockedSpan, in the
// same words: DescribeLockSpan).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pgsift/finding.h"
#include "pgsift/migration_model.h"

namespace pgsift {

struct LockSpan {
  int transaction = 0;  // 1-based, every transaction of the file counted
  std::string table;    // relation name as the parser gives it
  std::string mode;     // SQL words: "ACCESS EXCLUSIVE"
  bool blocks_reads = false;
  uint32_t from_line = 0;  // the statement that took the lock
  uint32_t to_line = 0;    // the COMMIT/ROLLBACK, or the statement itself when it ran alone; 0: the end of the file
  int statements = 0;      // statements run while it is held, the one that took it included
  bool rolled_back = false;
};

// "orders ACCESS EXCLUSIVE (blocks reads and writes) from line 3 to line 9,
// 5 statements".
std::string DescribeLockSpan(const LockSpan& span);

// The locks of one transaction that block other sessions' writes (SHARE and
// stronger) on tables that existed before the file.
struct TransactionLocks {
  int transaction = 0;
  size_t strongest = 0;  // the statement (MigrationFile::statements) that takes its strongest lock, first of equals
  std::vector<LockSpan> spans;  // in the order the locks were taken
  // True when a lock is held across more than the statement that took it.
  bool HeldAcross() const;
};

// The lint's prediction for `file`: transactions that lock an existing table,
// in file order. A statement outside BEGIN ... COMMIT (and outside a file its
// tool wraps in one transaction) is a transaction of its own; a DO block's
// statements are its DO's. Implemented in rules/migration/ (the lint's own
// lock model).
std::vector<TransactionLocks> PredictLockTimeline(const MigrationFile& file);

// Adds the timeline of each transaction that holds a lock across statements
// as a "lock timeline" fact to the findings (of `file`) at the statement that
// takes its strongest lock.
void AddLockTimelineFacts(const MigrationFile& file, std::vector<Finding>* findings);

inline constexpr const char* kLockTimelineFact = "lock timeline";

}  // namespace pgsift
