// Bursts in per-session statement sequences: the N+1 and repeated-identical
// rules read them. A burst is a run of consecutive executions of one
// fingerprint in one session, each starting at most `max_gap_ms` after the
// previous one ended; its parent is the statement the session ran just before
// the run (when a pause splits a run of one query, both parts keep the
// parent of the first).
//
// A cycle of two or three distinct queries repeated in order (A B A B ...) in
// one session, with the same time limit between statements, is a burst of
// each of its queries once every query ran `min_burst` times; the bursts
// name each other as siblings.
//
// A statement whose sqlcommenter tags carry a `traceparent` belongs to the
// sequence of its request (the trace id), not of its server session: behind a
// transaction-mode pooler one request's statements spread over several
// server sessions, and one server session interleaves several requests.
// BEGIN/COMMIT/ROLLBACK end the run and the cycle, and the next run has no
// parent: a parent must be in the burst's transaction. A parent whose code
// tags (controller/action, ...) differ from the burst's is another request's
// statement, so the burst has none.
//
// BurstDetector is a StatementSink (sessions.h): feed it the stream, it calls
// OnBurst for every run of at least `min_burst` executions. It holds no value
// from the log (only hashes of them) and its memory is bounded: at most
// `max_sessions` sessions are held (the least recently active half is flushed
// past that), sessions idle for `idle_flush_ms` of log time are flushed, and a
// session's state is dropped at its disconnection and at the end of its input.
// Single-threaded, like every StatementSink.
//
// BurstGroups aggregates bursts by (parent, child) fingerprint for reporting.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "pgsift/sessions.h"
#include "pgsift/workload.h"

namespace pgsift {

struct BurstOptions {
  int64_t min_burst = 5;             // executions in one run
  double max_gap_ms = 500;           // idle time allowed between two executions of a run
  int64_t max_sessions = 10000;      // sessions held at once
  double idle_flush_ms = 10 * 60e3;  // a session idle this long (log time) is forgotten
};

struct Burst {
  bool has_parent = false;  // false: the run opened its session, request or transaction (or was flushed)
  uint64_t parent_fingerprint = 0;
  bool parent_fallback = false;
  int64_t parent_limit = -1;  // StatementRun::limit of the parent: compared, never shown
  uint64_t child_fingerprint = 0;
  bool child_fallback = false;
  uint64_t size = 0;           // executions in the run
  double child_ms = 0;         // their logged durations, summed
  bool timed = false;          // every execution had a logged duration
  bool values_differ = false;  // some execution had other literals/parameters than the first
  SessionIdentity identity = SessionIdentity::kNone;
  uint64_t session = 0;     // StatementRun::session: a hash of the session's identity, the same in every format
  bool by_request = false;  // the sequence was one request's (traceparent), not a server session's
  uint32_t input = 0;
  uint64_t line = 0;  // first line of the run's first execution
  int64_t start_us = kNoTime;
  std::string application;  // of the first execution
  std::string comment;      // edge comment of the first execution, else of the parent (raw)
  // The other queries of a cycle (A B A B ..., A B C A B C ...: a row's
  // lookups of two or three associations); empty for a run of one query.
  std::vector<std::pair<uint64_t, bool>> siblings;  // fingerprint, fallback
};

class BurstSink {
 public:
  virtual ~BurstSink() = default;
  virtual void OnBurst(const Burst& burst) = 0;
};

class BurstDetector : public StatementSink {
 public:
  BurstDetector(BurstOptions options, BurstSink* sink) : options_(options), sink_(sink) {}
  void OnStatement(const StatementRun& run) override;
  void OnSessionEnd(uint32_t input, uint64_t session, int64_t time_us) override;
  // Runs without session identity were seen (the whole input was one sequence).
  bool saw_no_identity() const { return saw_no_identity_; }
  size_t sessions_held() const { return sessions_.size(); }
  uint64_t sessions_flushed_idle() const { return flushed_idle_; }
  uint64_t sessions_flushed_cap() const { return flushed_cap_; }

 private:
  struct Statement {
    uint64_t fingerprint = 0;
    bool fallback = false;
    int64_t limit = -1;
    uint64_t code = 0;  // hash of the code tags (CodeTags), 0: none
    std::string comment;
  };
  static constexpr size_t kMaxPeriod = 3;
  struct Recent {  // one of the last statements of a session
    uint64_t fingerprint = 0;
    bool fallback = false;
    bool close = false;  // started within max_gap_ms of the previous statement's end
    uint64_t values = 0;
    double ms = -1;
    int64_t start_us = kNoTime;
    uint64_t line = 0;
    int64_t limit = -1;
    uint64_t code = 0;
  };
  struct Cycle {
    size_t period = 0;  // 0: no cycle
    size_t next = 0;    // the member expected next
    std::array<uint64_t, kMaxPeriod> fingerprint{}, first_values{}, count{};
    std::array<bool, kMaxPeriod> fallback{}, differ{}, timed{};
    std::array<double, kMaxPeriod> ms{};
    bool has_parent = false;
    uint64_t parent_fingerprint = 0;
    bool parent_fallback = false;
    int64_t parent_limit = -1;
    uint64_t line = 0;
    int64_t start_us = kNoTime;
    std::string application, comment;
  };
  struct State {
    uint64_t session = 0;
    bool by_request = false;
    std::array<Recent, kMaxPeriod + 2> recent;  // newest first
    size_t recent_size = 0;
    Cycle cycle;
    bool has_last = false;
    Statement last;     // the statement before the current run (its parent)
    Statement current;  // the run's fingerprint and first comment
    uint64_t count = 0;
    double ms = 0;
    bool timed = true;
    uint64_t first_values = 0;
    bool values_differ = false;
    SessionIdentity identity = SessionIdentity::kNone;
    uint32_t input = 0;
    uint64_t line = 0;
    int64_t start_us = kNoTime;
    int64_t end_us = kNoTime;  // end of the last execution
    uint64_t seq = 0;          // stream position of the last statement (for eviction)
    std::string application;
  };
  static constexpr size_t kMaxComment = 512;
  using Key = std::pair<uint32_t, uint64_t>;
  struct KeyHash {
    size_t operator()(const Key& k) const { return std::hash<uint64_t>{}(k.second * 31 + k.first); }
  };
  void CloseRun(State* s, bool keep_parent);
  void StepCycle(State* s, const StatementRun& run, int64_t start, bool close, uint64_t code);
  void CloseCycle(State* s);
  void Close(State* s) {
    CloseCycle(s);
    CloseRun(s, false);
  }
  void MaybeSweep();
  void Sweep();
  void EvictHalf();
  // Both statements carry code tags, and they differ: another request's.
  static bool OtherCode(uint64_t a, uint64_t b) { return a != 0 && b != 0 && a != b; }

  BurstOptions options_;
  BurstSink* sink_;
  std::unordered_map<Key, State, KeyHash> sessions_;
  Burst burst_;  // reused
  uint64_t seq_ = 0;
  int64_t now_us_ = kNoTime;
  int64_t last_sweep_us_ = kNoTime;
  bool saw_no_identity_ = false;
  uint64_t flushed_idle_ = 0;
  uint64_t flushed_cap_ = 0;
};

// Bursts of one (parent, child) pair across sessions.
struct BurstGroup {
  bool has_parent = false;
  uint64_t parent_fingerprint = 0;
  bool parent_fallback = false;
  uint64_t child_fingerprint = 0;
  bool child_fallback = false;
  std::vector<std::pair<uint64_t, bool>> siblings;  // the other queries of a cycle
  uint64_t bursts = 0;
  uint64_t executions = 0;
  uint64_t max_size = 0;
  std::map<uint64_t, uint64_t> sizes;  // size -> bursts
  double child_ms = 0;
  uint64_t timed_bursts = 0;
  uint64_t limited = 0;                            // bursts whose parent had a LIMIT value
  uint64_t fitting = 0;                            // ... that holds them: at most one execution more than the LIMIT
  uint64_t by_request = 0;                         // bursts of one request's sequence (traceparent)
  std::map<SessionIdentity, uint64_t> identities;  // of the other bursts
  std::map<std::string, uint64_t> applications;
  std::map<std::string, uint64_t> code;  // "controller=visits, action=index" -> bursts
  // The biggest burst; ties go to the earliest start, then the session, then
  // the input and line (start and session are the same in stderr, csvlog and
  // jsonlog; line numbers and the order of records are not).
  Burst example;
  uint64_t TypicalSize() const;  // median
};

class BurstGroups : public BurstSink {
 public:
  // Keeps bursts with values_differ == `values_differ` (N+1: true; repeated
  // identical: false).
  explicit BurstGroups(bool values_differ) : values_differ_(values_differ) {}
  void OnBurst(const Burst& burst) override;
  // Groups sorted by child time, then fingerprints (deterministic).
  std::vector<const BurstGroup*> Sorted() const;

 private:
  using Key = std::tuple<bool, uint64_t, bool, uint64_t, bool, std::vector<std::pair<uint64_t, bool>>>;
  bool values_differ_;
  std::map<Key, BurstGroup> groups_;
};

// Code-location tags of a sqlcommenter (key='value',...) or marginalia
// (key:value,...) comment: only known keys (action, application, controller,
// framework, job, namespace, route), URL-decoded, digits masked as '#', in
// the comment's order, as "key=value, key=value". Never traceparent or an
// unknown key. Empty if none.
std::string CodeTags(std::string_view comment);

// Whether the normalized text reads rows only (SELECT, WITH ... SELECT,
// VALUES, TABLE), after leading comments and parentheses.
bool IsReadQuery(std::string_view normalized);

// Whether the statement begins or ends a transaction (BEGIN, START
// TRANSACTION, COMMIT, END, ROLLBACK, ABORT).
bool IsTransactionControl(std::string_view sql);

// The row count of the statement's outermost LIMIT: a number in the text, or
// the value of the bind parameter it names ($n, from a "$1 = '3', $2 = '8'"
// parameters detail). -1 without one, or for LIMIT ALL/NULL/an expression.
// LIMITs inside parentheses (subqueries), strings and comments are skipped.
int64_t LimitValue(std::string_view sql, std::string_view parameters);

// Whether the normalized text reads a page of a longer result: OFFSET or
// FETCH, or ORDER BY + LIMIT with a range condition on a parameter
// (`id > $1`, keyset pagination). A run of pages is a loop over a big result,
// not one query per row.
bool IsPageQuery(std::string_view normalized);

// The normalized text of a fingerprint ("" if unknown), on one line with runs
// of white space collapsed, cut to `max_chars` with "...".
std::string QueryText(const Workload& workload, uint64_t fingerprint, bool fallback, size_t max_chars = 160);

std::string_view IdentityLabel(SessionIdentity identity);

// The statistics of a fingerprint; nullptr if unknown.
const QueryStats* FindQuery(const Workload& workload, uint64_t fingerprint, bool fallback);

}  // namespace pgsift
