// `pgsift analyze --html`: the log report a DBA opens in a browser. One
// model, filled from the analyze aggregates (so its size is bounded whatever
// the log's size), written as JSON (tests, tools) or as one self-contained
// HTML file. No literal or bind value reaches it: queries are normalized
// texts, error messages are redacted (RedactServerMessage).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "pgsift/analyze.h"

namespace pgsift {

struct HtmlModelOptions {
  size_t top = 100;        // queries by total time in the table
  size_t top_other = 10;   // plus the top of each other sort key (mean, calls, max, temp, errors)
  size_t breakdown = 10;   // rows per database/user/application breakdown
  bool base_names = false; // inputs by base name (goldens)
};

struct HtmlCount {  // a named count with its time (breakdowns)
  std::string name;
  uint64_t count = 0;
  double total_ms = 0;
};

struct HtmlHistogramBin {
  double upper_ms = 0;  // < 0: the last bin (no upper edge)
  uint64_t count = 0;
};

struct HtmlBucket {
  int64_t start = 0;  // UTC seconds
  uint64_t calls = 0;
  double total_ms = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0;  // of the bucket's durations (histogram, ±19%, within its min/max)
  uint64_t errors = 0, deadlocks = 0, temp_files = 0, temp_bytes = 0;
  uint64_t checkpoints = 0, checkpoint_warnings = 0;
  double checkpoint_write_ms = 0, checkpoint_sync_ms = 0;
  uint64_t autovacuum = 0, autoanalyze = 0, lock_waits = 0, connections = 0, disconnections = 0;
  std::vector<std::pair<std::string, uint64_t>> errors_by_sqlstate;  // SQLSTATE order
};

struct HtmlPlan {  // an auto_explain plan, redacted (KeptPlan)
  double duration_ms = 0;
  std::string seen;  // ISO time
  std::string text;
  bool truncated = false;
};

struct HtmlQuery {
  std::string id;  // fingerprint hex ("f" prefix for fallback shapes)
  std::string normalized;
  bool fallback = false;
  uint64_t calls = 0, errors = 0, temp_files = 0, temp_bytes = 0, plans = 0, prepares = 0, lock_waits = 0;
  double lock_wait_ms = 0;
  double total_ms = 0, mean_ms = 0, min_ms = 0, max_ms = 0, p50_ms = 0, p95_ms = 0, p99_ms = 0, share = 0;
  std::string first_seen, last_seen;
  std::vector<HtmlCount> by_database, by_user, by_application;
  std::vector<HtmlCount> errors_by_sqlstate;
  std::vector<std::pair<int64_t, HtmlCount>> hourly;  // hour start (UTC s), calls/time
  std::vector<size_t> findings;                      // indexes into HtmlModel::findings
  std::vector<HtmlPlan> slowest_plans;               // one per distinct plan, slowest first (KeptPlans)
};

struct HtmlErrorGroup {
  std::string sqlstate, message;  // message redacted
  uint64_t count = 0;
  std::string first_seen, last_seen;
  std::vector<std::pair<std::string, uint64_t>> queries;  // query id ("" unknown statement) -> count
  // A cancelled statement: SQLSTATE 57014, or "canceling statement due to
  // ..." where the log has no SQLSTATE (a stderr prefix without %e).
  bool cancelled = false;
};

struct HtmlFinding {
  std::string rule, severity, message, help, fix;
  std::string query;  // query id, "" when not about one query
  std::vector<std::pair<std::string, std::string>> facts;
};

struct HtmlVacuumTable {
  std::string table;
  uint64_t vacuums = 0, analyzes = 0, removed_tuples = 0, buffer_hits = 0, buffer_misses = 0,
           buffer_dirtied = 0;
  double elapsed_ms = 0;
};

struct HtmlLockWait {  // one of the longest lock waits (LockWait)
  std::string time, lock, pid, blockers, query;  // query: the waiting statement's id, "" if not logged
  double wait_ms = 0;
  uint32_t queue = 0;
};

struct HtmlModel {
  std::vector<std::string> inputs;
  std::string first_seen, last_seen;
  // Overview
  uint64_t records = 0, calls = 0, shapes = 0, errors = 0, connections = 0, sessions = 0;
  double total_ms = 0, mean_ms = 0;
  uint64_t temp_files = 0, temp_bytes = 0, checkpoints = 0, autovacuum = 0, autoanalyze = 0, lock_waits = 0,
           deadlocks = 0, plans = 0;
  int64_t busiest_start = 0;  // UTC seconds; busiest_seconds 0: no timed statement
  int64_t busiest_seconds = 0;
  uint64_t busiest_calls = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0;  // all durations: nearest rank, exact to 32, within 1% beyond
  std::vector<HtmlHistogramBin> latency;      // from the first to the last non-empty bin
  std::vector<HtmlCount> by_database, by_user, by_application;
  // Statements by type (SELECT, INSERT, UPDATE, DELETE, COPY, DDL, TCL,
  // other) from every shape's normalized text: calls and time.
  std::vector<HtmlCount> queries_by_type;
  uint64_t cancelled = 0;  // cancelled statements (HtmlErrorGroup::cancelled: statement timeout, user request)
  // Over time
  int64_t step_seconds = 0;
  std::vector<HtmlBucket> timeline;  // non-empty buckets, in time order
  // Queries, errors, findings, sessions, vacuum
  std::vector<HtmlQuery> queries;
  uint64_t queries_not_shown = 0;
  std::vector<HtmlErrorGroup> errors_by_message;
  std::vector<HtmlFinding> findings;
  std::vector<HtmlHistogramBin> session_durations;
  double session_total_ms = 0;
  std::vector<HtmlCount> sessions_by_database, sessions_by_user, sessions_by_application, sessions_by_host;
  std::vector<HtmlVacuumTable> vacuum;
  // Locks: log_lock_waits messages by lock kind, the longest with who held the lock.
  double lock_wait_ms = 0;
  std::vector<HtmlCount> locks_by_kind;
  std::vector<HtmlLockWait> longest_lock_waits;
  // What the report cannot show yet, one sentence each.
  std::vector<std::string> not_available;
};

HtmlModel BuildHtmlModel(const AnalyzeResult& result, const HtmlModelOptions& options);
void WriteHtmlModelJson(const HtmlModel& model, std::ostream& out);
void WriteAnalyzeHtml(const HtmlModel& model, std::ostream& out);

}  // namespace pgsift
