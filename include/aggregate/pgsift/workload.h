// The workload: per-fingerprint statistics built from events. Rules and
// reporters read it; nothing here does I/O. A Workload is built by one thread;
// per-thread workloads are combined with Merge().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pgsift/event.h"
#include "pgsift/fingerprint.h"
#include "pgsift/kept_plans.h"
#include "pgsift/lock_waits.h"
#include "pgsift/sessions.h"
#include "pgsift/timeline.h"

namespace pgsift {

// Quantile sketch over durations (ms). Up to kExactValues durations are
// kept as they are and a quantile is the exact nearest-rank value. Past that,
// logarithmic buckets with ratio gamma = (1+a)/(1-a), a = 1%: any quantile
// is within 1% (relative) of a duration really observed at that rank. Either
// way it lies within [min, max] of the durations added. Mergeable (values
// and bucket counts add up, in any order). Memory grows with the spread of
// values (about 230 buckets per factor of 100), not with their number.
class DurationSketch {
 public:
  static constexpr double kRelativeError = 0.01;
  static constexpr size_t kExactValues = 32;
  void Add(double ms);
  void Merge(const DurationSketch& other);
  double Quantile(double q) const;  // q in [0,1]; 0 when empty
  uint64_t count() const { return count_; }

 private:
  int32_t offset_ = 0;  // bucket index of counts_[0]
  std::vector<uint32_t> counts_;
  uint64_t zeros_ = 0;  // durations of 0 (or below 1 ns)
  uint64_t count_ = 0;
  double min_ = 0, max_ = 0;   // of the durations added (when count_ > 0)
  std::vector<double> exact_;  // every duration while count_ <= kExactValues
};

// Durations are summed in whole nanoseconds, exactly, so per-thread results
// merge to the same totals in any order (a sum of doubles would depend on
// it); total_ms() reads the sum in milliseconds.
inline int64_t DurationNs(double ms) { return static_cast<int64_t>(ms * 1e6 + (ms < 0 ? -0.5 : 0.5)); }
inline double NsToMs(int64_t ns) { return static_cast<double>(ns) / 1e6; }

struct Breakdown {
  uint64_t calls = 0;
  int64_t total_ns = 0;  // see DurationNs
  double total_ms() const { return NsToMs(total_ns); }
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using BreakdownMap = std::unordered_map<std::string, Breakdown, StringHash, std::equal_to<>>;

// Where the last call was counted in a query's (or the summary's) database,
// user and application breakdowns: the next call usually comes from the same
// ones, so a compare replaces three hash lookups. It points at the map's own
// nodes (key and value), which never move. Only an aggregation cache: a copy
// starts empty (its pointers would point into the original's maps).
struct BreakdownCache {
  BreakdownCache() = default;
  BreakdownCache(const BreakdownCache&) {}
  BreakdownCache& operator=(const BreakdownCache&) {  // moves copy too: they reset
    for (size_t i = 0; i < 3; ++i) key[i] = nullptr, at[i] = nullptr;
    hour_at = nullptr;
    return *this;
  }
  const std::string* key[3] = {nullptr, nullptr, nullptr};  // database, user, application
  Breakdown* at[3] = {nullptr, nullptr, nullptr};
  int64_t hour = 0;
  Breakdown* hour_at = nullptr;
};

struct QueryStats {
  uint64_t fingerprint = 0;
  bool fallback = false;
  bool truncated = false;  // see Shape::truncated
  bool overflow = false;   // see Shape::overflow
  std::string normalized;
  uint64_t calls = 0;
  uint64_t calls_with_duration = 0;
  int64_t total_ns = 0;  // see DurationNs
  double min_ms = 0;
  double max_ms = 0;
  DurationSketch durations;
  int64_t first_us = kNoTime;
  int64_t last_us = kNoTime;
  // Where the fingerprint was first seen (input index, line): picks the
  // normalized text deterministically when per-thread results merge.
  uint64_t first_input = UINT64_MAX;
  uint64_t first_line = UINT64_MAX;
  BreakdownMap by_database, by_user, by_application;
  std::map<int64_t, Breakdown> hourly;  // hour start (UTC seconds) -> calls/time
  std::map<std::string, uint64_t> errors_by_sqlstate;
  uint64_t prepares = 0;  // extended protocol parse + bind
  int64_t prepare_ns = 0;
  uint64_t plans = 0;  // auto_explain plans seen
  // Rows the plan's top node returned, over the auto_explain plans that
  // were run (log_analyze on): how many rows one call gives (N+1 evidence).
  uint64_t plans_with_rows = 0;
  double plan_rows_max = 0;
  KeptPlans kept_plans;  // the slowest plans, redacted (the HTML drill-down)
  uint64_t lock_waits = 0;  // log_lock_waits messages of this statement
  int64_t lock_wait_ns = 0;  // how long they had waited when logged
  uint64_t temp_files = 0;
  uint64_t temp_bytes = 0;
  BreakdownCache cache;

  double total_ms() const { return NsToMs(total_ns); }
  double prepare_ms() const { return NsToMs(prepare_ns); }
  double mean_ms() const { return calls_with_duration ? total_ms() / static_cast<double>(calls_with_duration) : 0; }
  uint64_t errors() const;
};

// Why Filters left a record out (WorkloadSummary::left_out); kCount_: kept.
// A record is counted under the first that applies, in this order.
enum class LeftOut : uint8_t { kNoTime, kBefore, kAfter, kDatabase, kUser, kApplication, kCount_ };

struct Filters {
  std::vector<std::string> databases, users, applications;  // empty: all
  int64_t since_us = kNoTime;
  int64_t until_us = kNoTime;
  // Keep pgsift's own sessions and statements (application_name pgsift or
  // pgsift/<command>, or text starting with kPgsiftTag); by default they are
  // left out and their statements counted (WorkloadSummary::pgsift_left_out).
  bool include_pgsift = false;
  bool Accepts(const Event& e) const { return Why(e) == LeftOut::kCount_; }
  LeftOut Why(const Event& e) const;
  // The database, user and application filters alone (not the time window).
  bool Selects(const Event& e) const;
};

inline constexpr size_t kMaxLeftOutDatabases = 32;

struct WorkloadSummary {
  uint64_t events_by_kind[static_cast<size_t>(EventKind::kCount_)] = {};
  uint64_t filtered_out = 0;
  uint64_t left_out[static_cast<size_t>(LeftOut::kCount_)] = {};  // filtered_out by reason
  // Records left out for their database (LeftOut::kDatabase), by name ("":
  // none in the record); at most kMaxLeftOutDatabases names, the rest under "…".
  std::map<std::string, uint64_t> left_out_databases;
  uint64_t pgsift_left_out = 0;     // statements of pgsift itself (Filters::include_pgsift)
  int64_t pgsift_left_out_ns = 0;    // their logged durations (DurationNs)
  uint64_t calls = 0;
  int64_t total_ns = 0;  // see DurationNs
  double total_ms() const { return NsToMs(total_ns); }
  int64_t first_us = kNoTime;
  int64_t last_us = kNoTime;
  std::map<std::string, uint64_t> errors_by_sqlstate;  // all errors, with or without a statement
  uint64_t errors = 0;
  uint64_t temp_files = 0;
  uint64_t temp_bytes = 0;
  uint64_t durations_without_statement = 0;  // "duration:" lines whose statement we never saw
  BreakdownMap by_database, by_user, by_application;
  // For the HTML report (pgsift/timeline.h): every accepted record by time,
  // all statement durations, errors by message, sessions, vacuum per table.
  Timeline timeline;
  LatencyHistogram latency;
  ErrorGroups error_groups;
  SessionStats sessions;
  VacuumStats vacuum;
  LockWaits lock_waits;
};

class Workload {
 public:
  // Keyed by fingerprint; fallback fingerprints live in their own space.
  std::unordered_map<uint64_t, QueryStats> queries;
  std::unordered_map<uint64_t, QueryStats> fallback_queries;
  WorkloadSummary summary;

  QueryStats& Stats(const Shape& shape, uint64_t input, uint64_t line);
  // Adds `other` into this one. Order of merging does not change the result.
  void Merge(const Workload& other);
  // All fingerprints, sorted for output (by total time, then fingerprint).
  std::vector<const QueryStats*> Sorted(std::string_view by) const;
};

// Receives every auto_explain plan with the shape of its statement (the
// index advisor's plan evidence). Plans are rare events: the builder only
// hands them over; parsing them is the sink's business. Parsing threads call
// it concurrently, so an implementation synchronizes. `plan` (the body, text
// or JSON; it may hold values) is valid only during the call.
class PlanSink {
 public:
  virtual ~PlanSink() = default;
  virtual void OnPlan(const Shape& shape, std::string_view plan, bool json) = 0;
  // When true (asked once, when the builder takes the sink), every accepted
  // statement run also comes with its raw text and bind parameters (the
  // advisor's LIKE patterns). Same threading and lifetime as OnPlan; both
  // texts hold values: nothing of them may be kept or shown.
  virtual bool WantsStatements() const { return false; }
  virtual void OnStatement(const Shape& /*shape*/, std::string_view /*sql*/, std::string_view /*parameters*/) {}
};

// Feeds events into a Workload. Not thread-safe; one per thread.
class WorkloadBuilder : public EventSink {
 public:
  // `fingerprinter`: a cache shared across builders of one thread; null: own one.
  WorkloadBuilder(Workload* workload, Filters filters, Fingerprinter* fingerprinter = nullptr);
  void set_input(uint64_t index) { input_ = index; }
  // Added to event line numbers where they only order "first seen" (a piece
  // numbers its lines from 1; base = piece index << 32 keeps input order).
  void set_line_base(uint64_t base) { line_base_ = base; }
  // Receives every accepted statement run and disconnection; may be null.
  void set_statement_sink(StatementSink* sink) { statements_ = sink; }
  // Receives every plan; may be null.
  void set_plan_sink(PlanSink* sink) {
    plans_ = sink;
    plan_statements_ = sink != nullptr && sink->WantsStatements();
  }
  void OnEvent(const Event& event) override;
  // The end of the builder's events: hands the statement sink the runs
  // still waiting for a duration line (without one).
  void Finish();
  const FingerprintStats& fingerprint_stats() const { return fingerprinter_->stats(); }

 private:
  // A statement logged without a duration (log_statement = all with
  // log_duration or log_min_duration_statement): its duration line, the
  // session's next record, adds the time where the statement was counted.
  struct Pending {
    QueryStats* query = nullptr;  // null: nothing waits
    Breakdown* counted[6] = {};   // the query's and the summary's database, user, application
    Breakdown* hour = nullptr;
    int64_t time_us = kNoTime;  // of the call (the timeline's bucket may merge with others later)
    bool has_run = false;  // `run` waits for its duration before the statement sink sees it
    StatementRun run;
  };
  void AddDuration(QueryStats* q, double ms, int64_t time_us);
  void FillRun(const Event& e, const Shape& shape, StatementRun* r);
  void EmitPending(Pending* p);
  void RetractCall(Pending* p);  // the pending statement failed: not a call
  Workload* workload_;
  Filters filters_;
  std::unique_ptr<Fingerprinter> own_fingerprinter_;
  Fingerprinter* fingerprinter_;
  uint64_t input_ = 0;
  uint64_t line_base_ = 0;
  StatementSink* statements_ = nullptr;
  PlanSink* plans_ = nullptr;
  bool plan_statements_ = false;
  StatementRun run_;  // reused
  // Session -> the statement last logged without a duration. Bounded:
  // emptied (its runs emitted) past kMaxSessions.
  std::unordered_map<std::string, Pending, StringHash, std::equal_to<>> last_statement_;
  std::string json_query_text_;
  BreakdownCache summary_cache_;  // for workload_->summary's breakdowns
};

// The first /* ... */ comment at the start or end of `sql` (sqlcommenter,
// marginalia), without the delimiters; empty if none.
std::string_view EdgeComment(std::string_view sql);

// Extracts "Query Text" from an auto_explain JSON plan. False if absent.
bool JsonPlanQueryText(std::string_view plan, std::string* out);

}  // namespace pgsift
