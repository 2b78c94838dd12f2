// The lock and rewrite trace of `pgsift check`: what each migration
// statement really locked and rewrote on the scratch database
// (StatementTrace, db/scratch.h), set against what the migration lint
// predicts for it from its text. Only relations that existed before the
// file count: a table the migration creates blocks nobody.
#pragma once

#include <string>
#include <vector>

#include "pgsift/finding.h"
#include "pgsift/migration_model.h"
#include "pgsift/rule.h"
#include "pgsift/scratch.h"

namespace pgsift {

// What the lint predicts for one statement: its locks that block other
// sessions (mode in SQL words, "ACCESS EXCLUSIVE") and the tables it
// rewrites. Tables created earlier in the file are left out.
struct PredictedLock {
  std::string schema;  // as written ("" unqualified: resolved by the trace's search_path)
  std::string table;   // relation name as the parser gives it (an index for DROP INDEX)
  std::string mode;
  bool blocks_reads = false;
};
struct PredictedRewrite {
  std::string schema, table;  // as PredictedLock
};
struct LintPrediction {
  std::vector<PredictedLock> locks;
  std::vector<PredictedRewrite> rewrites;
};
// Implemented in rules/migration/ (the lint's own lock model, util.h). A DO
// statement predicts what the statements of its body do.
LintPrediction PredictStatement(const MigrationFile& file, size_t index);

// An index a statement created, dropped, rebuilt (dropped and created under
// the same name, as ALTER COLUMN TYPE does) or left invalid.
struct IndexChange {
  std::string change;  // "created", "dropped", "rebuilt", "invalid"
  std::string index, table;  // index as Display() gives it; its table's name
  int64_t bytes = 0;         // after the statement; before it for "dropped"
  bool valid = true;         // pg_index.indisvalid after it ("dropped": as it was)
};

// With a workload (check --workload): the queries that would wait for one
// table a statement locked against writes (or reads and writes).
struct WorkloadWait {
  std::string table;
  bool blocks_reads = false;
  // Calls per second of the workload's queries that touch the table, split
  // by whether they write (INSERT/UPDATE/DELETE/MERGE); a query of several
  // tables counts for each. With EXCLUSIVE or ACCESS EXCLUSIVE, writes also
  // count the INSERTs and UPDATEs (of a key column) of tables whose foreign
  // key references this one: their check takes ROW SHARE on it and waits.
  double reads_per_s = 0, writes_per_s = 0;
  size_t read_shapes = 0, write_shapes = 0;  // distinct queries behind them
  // Of writes_per_s: through foreign keys, and the referencing tables.
  double fk_writes_per_s = 0;
  std::vector<std::string> via_foreign_keys;
  // How long they would wait: the lock is held from the statement to the end
  // of its transaction; measured on the scratch data, then scaled.
  double measured_ms = 0, wait_ms = 0;
  double WaitingPerSecond() const { return writes_per_s + (blocks_reads ? reads_per_s : 0); }
};

// The workload context of a trace.
struct TraceWorkload {
  const LintWorkload* workload = nullptr;  // from LoadLintWorkload (lint --workload's loader)
  double sample_percent = 0;               // check --sample: durations scaled by 100 / percent
};

// One statement of the per-file table.
struct TraceRow {
  Location location;
  std::string statement;            // its first line, shortened
  std::string mode;                 // strongest lock it took on an existing table ("" none)
  std::vector<std::string> tables;  // the existing tables it took that lock on
  bool blocks_reads = false, blocks_writes = false;
  bool locks_seen = true;  // false: ran outside a transaction block (see StatementTrace)
  std::vector<TracedRewrite> rewrites;
  double ms = 0;
  // "confirmed" (the lint's prediction held), "lint missed" (a lock or a
  // rewrite it did not predict: a finding), "lint too strict" (predicted,
  // not observed: a note), "not traced" (a predicted lock of a statement
  // pgsift saw no locks of), "" (nothing predicted, nothing blocking seen).
  std::string verdict;
  std::vector<std::string> notes;  // what made the verdict
  std::vector<IndexChange> indexes;
  // From this statement to the end of its transaction (this statement
  // alone when it ran in a transaction of its own), on the scratch data.
  double held_ms = 0;
  std::vector<WorkloadWait> waits;  // with a workload: per table it blocked
};

// A table blocked by a transaction of the file: from the statement that
// took the lock to the end of the transaction.
struct BlockedSpan {
  int transaction = 0;
  std::string table, mode;
  bool blocks_reads = false;
  uint32_t from_line = 0, to_line = 0;  // to_line 0: the end of the file
  bool rolled_back = false;
  double ms = 0;  // the statements' time in between, on the scratch data
};

struct FileTrace {
  std::string path;
  std::vector<TraceRow> rows;
  std::vector<BlockedSpan> timeline;
  int confirmed = 0, missed = 0, too_strict = 0, blocking = 0, rewrites = 0;
  // Indexes still invalid after the file (name on table).
  std::vector<IndexChange> invalid_at_end;
  // With a workload: where its rates come from and over what window, and
  // whether durations were scaled from a sample; "" without one.
  std::string workload;
  double sample_percent = 0;  // durations scaled by 100 / it (0: not scaled)
};

// The rule id of a lint-missed finding, and its info (SARIF, JUnit).
const RuleInfo& TraceRuleInfo();

// The trace of `applied` against the lint's predictions for `file`;
// lint-missed findings go to `findings`.
// With `workload`, each row that blocked writes or reads of an existing table
// gets its waits, and a lint-missed finding says them.
FileTrace BuildFileTrace(const MigrationFile& file, const AppliedFile& applied, std::vector<Finding>* findings,
                         const TraceWorkload& workload = {});
// "orders: 12.5 writes/s (3 queries) would wait 850 ms (scaled from a 10%
// sample: 85 ms measured), ~11 queued": one line of the text, Markdown,
// JSON notes and the lint-missed finding.
std::string DescribeWait(const WorkloadWait& wait, double sample_percent);

// "ACCESS EXCLUSIVE" for pg_locks' "AccessExclusiveLock"; its strength 1..8
// (0: unknown), and what it blocks.
std::string SqlLockMode(const std::string& pg_locks_mode);
int LockRank(const std::string& mode);  // either spelling
bool BlocksWrites(const std::string& mode);
bool BlocksReads(const std::string& mode);

}  // namespace pgsift
