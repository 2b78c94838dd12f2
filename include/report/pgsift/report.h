// The weekly health report: built from two snapshots (and optionally the
// logs of the same window), rendered as Markdown, JSON or self-contained
// HTML. Holds only normalized query texts, never a literal or bind value.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/analyze.h"
#include "pgsift/config.h"
#include "pgsift/finding.h"
#include "pgsift/format.h"
#include "pgsift/index_usage.h"
#include "pgsift/journeys.h"
#include "pgsift/pgss.h"

namespace pgsift {

struct ReportOptions {
  size_t top = 15;
  // A regression needs all three: mean up by `regress_rel` (0.5 = +50%),
  // by at least `regress_abs_ms`, and `min_calls` calls in both periods.
  double regress_rel = 0.5;
  double regress_abs_ms = 1.0;
  int64_t min_calls = 10;
};

struct ReportQuery {
  uint64_t fingerprint = 0;
  std::string query;  // normalized
  std::string databases;
  int64_t calls = 0;
  double total_ms = 0;
  double mean_ms = 0;
  int64_t rows = 0;
  double share = 0;  // of the window's total execution time, 0..1
  int64_t before_calls = 0;
  double before_mean_ms = 0;  // baseline mean; 0 when no baseline
  // "new" | "regressed" | "faster" | "steady" | "vanished"
  std::string trend;
  bool reset = false;
};

struct ReportPeriod {
  int64_t calls = 0;
  double exec_ms = 0;
  int64_t rows = 0;
  double hit_ratio = -1;  // -1: no blocks
};

// Which --logs records a report counted: those inside the snapshots' window
// of the snapshots' database(s). The rest is counted here by reason.
struct LogScope {
  std::string from, to;                // window (snapshots' captured_at); "" when a snapshot has no time
  std::vector<std::string> databases;  // the snapshots' databases; empty: not checked (exports)
  uint64_t kept = 0;                   // records counted in the report
  uint64_t before = 0, after = 0, no_time = 0, other_database = 0;
  std::map<std::string, uint64_t> other_databases;  // left out by name ("": records without one)
  uint64_t left_out() const { return before + after + no_time + other_database; }
};

struct Report {
  std::string database;
  std::string server_version;
  std::string from_at, to_at;  // snapshots' captured_at
  std::string baseline;        // "cumulative" (counters up to --from) or "previous" (--prev to --from)
  bool reset = false;
  std::string reset_reason;
  ReportPeriod window, before;
  int64_t size_from_bytes = 0, size_to_bytes = 0;  // database size at each snapshot (0: unknown)
  std::vector<ReportQuery> top, regressions, new_queries, vanished;
  // Every fingerprint run in the window (unsorted top list), for --partial.
  std::vector<ReportQuery> all;
  // After a full reset a query not run since looks vanished: not listed then.
  bool vanished_unknown = false;
  std::vector<ReportIndex> unused_indexes;  // no scans in the window, not unique/primary
  // Same definition on the same table in `to`: each group, the one to keep first.
  std::vector<std::vector<ReportIndex>> duplicate_indexes;
  // From --logs only (pg_stat_statements has no time of day).
  bool has_logs = false;
  LogScope log_scope;  // with --logs through RunWeeklyReport
  bool has_log_scope = false;
  uint64_t log_errors = 0;
  int64_t before_log_errors = -1;  // from --prev-logs; -1: not given
  // pgsift's own statements left out: by `snapshot` from the --to snapshot's
  // pg_stat_statements rows, and from the --logs.
  int64_t pgsift_left_out_pgss = 0;
  uint64_t pgsift_left_out_logs = 0;
  std::map<int64_t, Breakdown> load_by_hour;  // hour start, UTC seconds
  size_t rules_run = 0;                       // workload rules (with --logs) and pg_stat_statements rules
  std::vector<Finding> findings;
  // Latency SLOs: journeys from .pgsift.toml, measured on --logs.
  bool journeys_configured = false;
  std::vector<JourneyResult> journeys;
  ReportOptions options;
};

// `prev` (may be null): the snapshot before `from`, so the baseline is the
// previous window; without it the baseline is `from`'s cumulative counters.
// `logs` (may be null): analyze result of the window's logs; `rules_run`:
// how many workload rules produced its findings. The pg_stat_statements
// rules (pgss_rules.h) run on the window here, logs or not: `pgss_rules`,
// or every registered one with default options when null.
class PgssRule;
Report BuildReport(const Snapshot& from, const Snapshot& to, const Snapshot* prev, const AnalyzeResult* logs,
                   size_t rules_run, const ReportOptions& options,
                   const std::vector<const PgssRule*>* pgss_rules = nullptr);

// `pgsift report --from A --to B`: what it reads (see report_run.cpp).
struct WeeklyReportRequest {
  std::string from, to, prev;  // snapshot files; prev may be empty
  std::string config;          // [journeys.<name>] TOML; empty: ./.pgsift.toml when it exists
  std::vector<std::string> logs, prev_logs;
  std::optional<std::string> prefix;  // log_line_prefix of stderr/syslog logs; unset: detected
  bool include_pgsift = false;        // keep pgsift's own statements of the logs
  std::string label;                  // the database's name in the report; empty: the snapshot's
  // Snapshots of different servers (system_identifier) or of a database
  // re-created under the same name (oid) are refused unless this is set.
  bool allow_server_move = false;
  ReportOptions options;
  RuleFlags rules;  // --set, --disable
};

// Reads the snapshots, the journeys and the logs, runs the workload and
// pg_stat_statements rules and builds the report. `warn` gets what does not
// stop it (an input's read error: "NAME: ERROR"), in order. Errors name the
// option whose input failed ("--from: ...").
Result<Report> RunWeeklyReport(const WeeklyReportRequest& request, const std::function<void(const std::string&)>& warn);

// "Logs: 1,032 records of database clinic from A to B counted; 112 left out:
// ..." (report.has_log_scope), or "".
std::string LogScopeNote(const Report& report);

// "n statements of pgsift itself left out (...)", or "" when none were.
std::string PgsiftLeftOutNote(const Report& report);

std::string RenderReportMarkdown(const Report& report);
// schema pgsift.report.v1. `partial`: also every fingerprint of the window
// ("queries"), the input of a fleet merge.
std::string RenderReportJson(const Report& report, bool partial = false);
// Reads RenderReportJson(..., true) output back, or a pgsift analyze JSON
// (pgsift.analyze.v1: one database's logs, no baseline). Errors name the
// file.
Result<Report> ReadPartialReport(const std::string& path);

// Many databases' partial reports in one: a row per database, and queries
// summed by fingerprint across databases.
struct FleetDatabase {
  std::string label;  // the database name; "#n" appended when names repeat
  std::string server_version;
  ReportPeriod window;
  size_t regressions = 0, new_queries = 0;
  bool reset = false;
  std::string top_query;  // normalized text of its costliest query
};
struct FleetQuery {
  uint64_t fingerprint = 0;
  std::string query;
  int64_t calls = 0;
  double total_ms = 0;
  size_t databases = 0;            // where it ran in the window
  size_t regressed_in = 0;         // where it was a regression
  std::vector<std::string> where;  // labels of databases where it regressed
};
struct FleetReport {
  std::vector<FleetDatabase> databases;  // sorted by window time desc, label
  std::vector<FleetQuery> top;           // by total time across the fleet
  std::vector<FleetQuery> regressions;   // regressed in at least one database
  ReportPeriod window;
};
FleetReport BuildFleetReport(const std::vector<Report>& reports, size_t top = 20);
std::string RenderFleetMarkdown(const FleetReport& fleet);
std::string RenderFleetJson(const FleetReport& fleet);  // schema pgsift.fleet.v1
std::string RenderFleetHtml(const FleetReport& fleet);
std::string RenderReportHtml(const Report& report);  // inline CSS and SVG, no network

// Shared by the renderers.
// Said under Findings when the report was built without --logs.
inline constexpr std::string_view kLogRulesNotRun =
    "Only the pg_stat_statements rules ran: the workload rules (N+1 from session sequences, repeated identical "
    "queries) read the server logs of the window.";
std::string FormatChange(double before, double now);     // "+12%", "-3%", "new", "n/a"
std::string JourneyMatch(const JourneySpec& spec);       // "application_name clinic-web; tag route=/billing"
std::string JourneyStatus(const JourneyResult& result);  // "ok" | "missed" | "no calls"

}  // namespace pgsift
