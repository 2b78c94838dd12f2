// Live EXPLAIN for baselines, and the scratch database `pgsift check`
// migrates and re-plans. Implemented in analyzer/db/ (the only pqxx user).
//
// Safety: capture runs in a read-only session (SessionSetupSql); the source
// of a baseline is never written. Migrations are only applied to a database
// the caller has confirmed is scratch (ScratchOptions::confirmed) or one
// pgsift created itself; every session sets statement_timeout and
// lock_timeout.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pgsift/baseline_model.h"
#include "pgsift/db.h"
#include "pgsift/migration_model.h"
#include "pgsift/result.h"

namespace pgsift {

struct PlanOptions {
  bool analyze = false;  // EXPLAIN (ANALYZE, BUFFERS), `repeats` times
  int repeats = 1;
  bool show_values = false;  // keep literals in plan conditions
};

// Plans every query and returns the baseline (entries sorted by name). A
// query that does not plan is an error naming the query and its source; the
// server's message is reduced to its first line (DETAIL lines can hold
// values from the data).
// Optional queries that do not plan are left out and named in `skipped`
// ("name: message"; may be null). Every query passes the statement gate
// (statement_gate.h) first: a refused one, optional or not, is never sent,
// counted in Baseline::refused and named in `skipped` with the reason.
Result<Baseline> CaptureBaseline(const ConnectOptions& source, const std::vector<GuardedQuery>& queries,
                                 const PlanOptions& options, std::vector<std::string>* skipped = nullptr);

struct ScratchOptions {
  ConnectOptions connect;
  bool confirmed = false;  // --scratch-is-disposable: the user said so
  // --create-scratch-from: create the scratch database as a copy of this
  // database (CREATE DATABASE ... TEMPLATE: data and statistics), drop it
  // after. The source itself is only read. Used when create_from.dsn is set
  // or create_from_env (the PG* / DATABASE_URL database).
  ConnectOptions create_from;
  bool create_from_env = false;
  // --sample PERCENT (with create_from): instead of the template copy, an
  // empty database with the source's schema (pg_dump --schema-only) and
  // PERCENT of every table's rows (TABLESAMPLE BERNOULLI ... REPEATABLE),
  // foreign keys NOT VALID, then ANALYZE. The source may be in use.
  double sample_percent = 0;
  // --source-stats (with sample_percent): the planner sees the source's row
  // counts and column statistics on the sample (analyzer/db/scratch_stats.h:
  // heap files grown with rolled-back rows up to grow_cap_mb in total,
  // pg_class and pg_statistic written; needs a superuser on the scratch
  // server). The values of pg_stats go from the source to the scratch server
  // only.
  bool source_stats = false;
  uint64_t grow_cap_mb = 1024;
  std::string pg_dump = "pg_dump";
  // Representative values of the baseline's log-valued queries (query name
  // -> SQL expressions), from `check --values-from`; in memory only. A
  // log-valued query without values here is planned generically.
  std::map<std::string, std::vector<std::string>> log_values;
};

// A relation that existed before a migration file ran (check's trace only
// looks at those: a table the file creates blocks nobody).
struct TracedRelation {
  std::string schema, name;  // name unqualified, as pg_class has it
  char kind = 'r';           // pg_class.relkind
  std::string table;         // for an index: its table's name, else ""
  std::string Display() const { return schema == "public" ? name : schema + "." + name; }
  std::string Key() const { return schema + "." + name; }  // of AppliedFile::existing
};

// A relation-level lock the migration's session held, from pg_locks of its
// own backend (readable by any role).
struct TracedLock {
  TracedRelation relation;
  std::string mode;  // as pg_locks names it: "AccessExclusiveLock"
  bool granted = true;
};

// An existing relation whose relfilenode changed: rewritten (or truncated).
struct TracedRewrite {
  TracedRelation relation;
  int64_t bytes_before = 0, bytes_after = 0;  // pg_relation_size before the file, after it
};

// An index a statement created, dropped or left invalid (pg_index of the
// user's schemas, also indexes the file itself created).
struct TracedIndex {
  TracedRelation index;  // index.table: the table it is on
  // pg_relation_size: after the statement (created, invalid), before it
  // (dropped, as last measured). 0 for a partitioned index (no storage).
  int64_t bytes = 0;
  bool valid = true;  // pg_index.indisvalid after the statement
};

// What one statement of a migration file did on the scratch database.
struct StatementTrace {
  size_t statement = 0;  // index in MigrationFile::statements
  // False: the statement ran outside a transaction block (VACUUM, CREATE
  // INDEX CONCURRENTLY, a file's autocommit statement pgsift cannot wrap),
  // so its locks were gone before pg_locks could be read.
  bool locks_seen = false;
  // 1, 2, ... the transaction of the file it ran in; 0: none (locks_seen false).
  int transaction = 0;
  bool ends_transaction = false;  // its transaction ended with it (COMMIT, ROLLBACK, or one statement)
  bool rolled_back = false;       // ... by ROLLBACK: nothing it did stays
  std::vector<TracedLock> acquired;     // on existing relations, not held before it
  std::vector<TracedLock> held;         // on existing relations after it (its transaction's so far)
  std::vector<TracedRewrite> rewrites;  // existing relations with a new relfilenode
  std::vector<TracedRelation> dropped;  // existing relations gone
  // Indexes new after it, gone after it, and invalid after it that were not
  // before (new ones included: CREATE INDEX ON ONLY a partitioned table).
  // A rolled-back statement reports none (its indexes are gone again).
  std::vector<TracedIndex> indexes_created, indexes_dropped, indexes_invalid;
  double ms = 0;                        // the statement's own time on the scratch data
};

// One migration file applied to the scratch database.
struct AppliedFile {
  std::string path;
  size_t statements = 0;
  bool in_transaction = false;  // true: run in one transaction (its layout wraps
                                // it); false: statement by statement (psql), or
                                // it cannot run in a transaction block
  // Per applied statement (DO bodies are part of their DO), in order.
  std::vector<StatementTrace> trace;
  // The relations that existed before the file, by "schema.name" (Key()).
  std::map<std::string, TracedRelation> existing;
  // The scratch session's search_path before the file (current_schemas:
  // schemas that exist, in order): how the lint's unqualified names resolve.
  std::vector<std::string> search_path;
  // Foreign keys between existing tables: referencing table, referenced
  // table (Key()), and the referencing columns.
  struct ForeignKey {
    std::string from, to;
    std::vector<std::string> columns;
  };
  std::vector<ForeignKey> foreign_keys;
  // Every index of the user's schemas invalid after the file's last statement.
  std::vector<TracedIndex> invalid_indexes;
};

struct ScratchRun {
  std::string statistics;  // how the scratch database got its statistics
  int server_major = 0;
  std::map<std::string, std::string> settings;
  std::map<std::string, int64_t> relation_rows;  // the baseline's relations, after the migrations
  std::vector<AppliedFile> applied;
  // The first failing statement (file, line, server message); nothing after
  // it was applied and nothing was re-planned.
  std::optional<LintDiagnostic> migration_error;
  // Re-plans in baseline order; a query that no longer plans has its
  // server message (first line) in `errors`.
  std::vector<BaselineEntry> replans;
  std::map<std::string, std::string> errors;  // query name -> message
  // The same re-plans on the scratch database before the migrations: what
  // costs, time and buffers (ANALYZE) are compared with.
  std::vector<BaselineEntry> before;
  // Log-valued queries planned generically (no values in log_values).
  std::set<std::string> generic_fallback;
  // Queries the statement gate refused (statement_gate.h: a baseline file is
  // untrusted): name -> value-free reason. Never sent to the server.
  std::map<std::string, std::string> refused;
  // What the run did besides (stale scratch databases it dropped).
  std::vector<std::string> notes;
};

// Applies `migrations` in order (each file as its migration tool runs it:
// in one transaction when its layout wraps it in one, else statement by
// statement, autocommitted, as psql runs a file) and re-plans every baseline query with the baseline's
// options. Refuses (error) unless pgsift creates the scratch copy itself, or
// options.confirmed and the database carries the 'pgsift:scratch' marker
// comment, and refuses a confirmed database that has the name of the
// baseline's source database. Refuses (migration_error, nothing applied)
// statements that act on the whole cluster (roles, ALTER SYSTEM,
// tablespaces, databases, subscriptions) unless the scratch server is
// another cluster than the baseline's (system_identifier). A copy it creates
// is marked 'pgsift:scratch pid=N host=H', dropped at the end (an error when
// that fails), also on SIGINT/SIGTERM/SIGHUP; stale copies of gone pgsift
// processes on this host are dropped first (ScratchRun::notes).
Result<ScratchRun> RunOnScratch(const ScratchOptions& options, const std::vector<LoadedMigration>& migrations,
                                const Baseline& baseline, const PlanOptions& plan_options);

// The signal (SIGINT, SIGTERM, SIGHUP) that interrupted RunOnScratch while
// it had a scratch database of its own (which it then dropped), or 0.
int ScratchInterruptSignal();

}  // namespace pgsift
