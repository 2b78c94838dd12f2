// What happened when: per-time-bucket counters of a log (the HTML report's
// "Over time" and "Overview"), error groups and server activity (sessions,
// checkpoints, vacuum). Everything here is bounded and merges exactly (sums
// of integers), so per-thread results combine to a one-thread run's, in any
// order. Nothing here keeps a literal or bind value: error messages are kept
// redacted (RedactServerMessage).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "pgsift/event.h"

namespace pgsift {

// Durations (ms) counted in fixed logarithmic bins, two per power of two,
// from 2^-7 ms (~8 us) to 2^24 ms (~4.7 h); the first and last bins take what
// lies outside. A quantile is the geometric middle of its bin: within ~19%
// of a duration at that rank. Small (256 bytes) and exactly mergeable.
class LatencyHistogram {
 public:
  static constexpr int kBins = 64;
  static constexpr int kMinExponent = -7;  // bin 0 ends at 2^-7 ms
  void Add(double ms);
  void Merge(const LatencyHistogram& other);
  uint64_t count() const { return count_; }
  uint32_t bin(int i) const { return bins_[static_cast<size_t>(i)]; }
  static double BinUpperMs(int i);  // upper edge of bin i (the last: +inf)
  // The bin's geometric middle (within a factor 2^(1/4) of every value in
  // it: ±19%), kept within [min, max] of what was added; 0 when empty.
  double Quantile(double q) const;

 private:
  std::array<uint32_t, kBins> bins_{};
  uint64_t count_ = 0;
  double min_ = 0, max_ = 0;
};

struct TimeBucket {
  uint64_t calls = 0;  // statement runs
  int64_t total_ns = 0;
  LatencyHistogram latency;
  uint64_t errors = 0;
  uint64_t deadlocks = 0;  // errors of SQLSTATE 40P01
  uint64_t temp_files = 0;
  uint64_t temp_bytes = 0;
  uint64_t checkpoints = 0;            // "checkpoint complete" / "restartpoint complete"
  int64_t checkpoint_write_ns = 0;     // their write= times
  int64_t checkpoint_sync_ns = 0;      // their sync= times
  uint64_t checkpoint_warnings = 0;    // "checkpoints are occurring too frequently"
  uint64_t autovacuum = 0;
  uint64_t autoanalyze = 0;
  uint64_t lock_waits = 0;
  uint64_t connections = 0;
  uint64_t disconnections = 0;
  // Errors by SQLSTATE: at most kMaxStates states per bucket, later ones
  // under "other" (PostgreSQL has a few hundred codes; a real log shows few).
  static constexpr size_t kMaxStates = 32;
  std::map<std::string, uint64_t, std::less<>> errors_by_sqlstate;
  void AddError(std::string_view sqlstate);
  void Merge(const TimeBucket& other);
};

// Buckets of kSteps[step_index] seconds (UTC, aligned to the epoch), the
// finest step at which at most kMaxBuckets buckets are non-empty: a short
// log gets seconds, a day minutes, a month hours. Coarsening only adds
// buckets together, so the step of a merged timeline is the one a single
// run over all events would have reached.
class Timeline {
 public:
  Timeline() = default;
  Timeline(const Timeline& o) : step_index_(o.step_index_), buckets_(o.buckets_) {}
  Timeline& operator=(const Timeline& o) {
    step_index_ = o.step_index_;
    buckets_ = o.buckets_;
    last_ = nullptr;
    return *this;
  }
  static constexpr int64_t kSteps[] = {1, 10, 60, 600, 3600, 86400};
  static constexpr size_t kMaxBuckets = 1500;
  // The bucket of `time_us` (kNoTime events are not counted: nullptr). The
  // pointer is valid until the next At() or Merge().
  TimeBucket* At(int64_t time_us);
  void Merge(const Timeline& other);
  int64_t step_seconds() const { return kSteps[step_index_]; }
  // Bucket start (UTC seconds) -> counters; only buckets that saw an event.
  const std::map<int64_t, TimeBucket>& buckets() const { return buckets_; }

 private:
  void CoarsenTo(size_t step_index);
  size_t step_index_ = 0;
  std::map<int64_t, TimeBucket> buckets_;
  // The bucket At() returned last (events come in time order): map nodes
  // do not move, so it stays valid until buckets are coarsened.
  int64_t last_key_ = 0;
  TimeBucket* last_ = nullptr;
};

// Errors grouped by SQLSTATE and redacted message. At most kMaxGroups
// groups; later ones are counted under the message "…" of their SQLSTATE.
struct ErrorGroup {
  uint64_t count = 0;
  int64_t first_us = kNoTime, last_us = kNoTime;
  // Fingerprints of the statements that raised it, with counts (0: errors
  // logged without their statement). At most kMaxShapes; the rest under 0.
  std::map<uint64_t, uint64_t> shapes;
};
struct ErrorGroups {
  static constexpr size_t kMaxGroups = 500;
  static constexpr size_t kMaxShapes = 16;
  // Key: SQLSTATE, '\t', redacted message.
  std::map<std::string, ErrorGroup> groups;
  void Add(std::string_view sqlstate, std::string_view message, int64_t time_us, uint64_t fingerprint);
  void Merge(const ErrorGroups& other);
};

// A server message without the values it may hold: text in quotes is
// replaced by "?" unless a word naming an object (relation, column,
// constraint, ...) comes right before it; numbers become N; only the first
// line, at most 300 bytes. "invalid input syntax for type integer: "4711""
// -> "invalid input syntax for type integer: ?".
std::string RedactServerMessage(std::string_view message);

// What an error group shows of a message: RedactServerMessage's text when
// the message is the server's own, else a note that it is withheld. Text
// an application raised (PL/pgSQL RAISE: SQLSTATE class P0, or a code
// outside PostgreSQL's classes) is free text that may name a patient; with
// no SQLSTATE in the log, only messages that begin as one of PostgreSQL's
// common English errors are shown.
std::string ShownServerMessage(std::string_view sqlstate, std::string_view message);

// Sessions from disconnection records ("session time: H:MM:SS.fff").
struct SessionStats {
  static constexpr size_t kMaxKeys = 1000;  // per breakdown; later keys under "…"
  uint64_t sessions = 0;                     // disconnections seen
  LatencyHistogram durations;                // session time, ms
  int64_t total_ns = 0;
  // Sessions and their total time by database, user, application, host.
  struct Count {
    uint64_t sessions = 0;
    int64_t total_ns = 0;
  };
  std::map<std::string, Count> by_database, by_user, by_application, by_host;
  void Merge(const SessionStats& other);
};

// Autovacuum and autoanalyze runs per table ("db.schema.table"), from
// log_autovacuum_min_duration records.
struct VacuumStats {
  static constexpr size_t kMaxTables = 1000;  // later tables under "…"
  struct Table {
    uint64_t vacuums = 0, analyzes = 0;
    int64_t elapsed_ns = 0;        // "elapsed: X s" of both
    uint64_t removed_tuples = 0;   // "tuples: N removed"
    uint64_t buffer_hits = 0, buffer_misses = 0, buffer_dirtied = 0;
  };
  std::map<std::string, Table> tables;
  void Merge(const VacuumStats& other);
};

// The time of a "session time: 0:00:01.520" disconnection message (ms), -1
// when absent; the write= and sync= times of a checkpoint complete message.
double SessionTimeMs(std::string_view message);
bool CheckpointTimes(std::string_view message, double* write_ms, double* sync_ms);
// Adds an "automatic vacuum|analyze of table ..." message to `stats`.
void AddVacuumMessage(std::string_view message, bool analyze, VacuumStats* stats);

}  // namespace pgsift
