// RunWeeklyReport: the inputs of `pgsift report` read and its rules run, in
// the order its errors are reported.
#include <algorithm>
#include <filesystem>
#include <memory>

#include "pgsift/analyze_output.h"
#include "pgsift/journeys.h"
#include "pgsift/pgss.h"
#include "pgsift/pgss_rules.h"
#include "pgsift/report.h"
#include "pgsift/workload_rules.h"

namespace pgsift {
namespace {

// Two snapshots one report compares: `first` must be of the same server and
// database as `second`, and taken no later. What a snapshot does not record
// (exports, snapshots of older pgsift) is not checked.
Status BelongTogether(const Snapshot& first, const std::string& first_opt, const Snapshot& second,
                      const std::string& second_opt, bool allow_server_move) {
  int64_t t1 = first.captured_at.empty() ? kNoTime : ParseLogTimestamp(first.captured_at);
  int64_t t2 = second.captured_at.empty() ? kNoTime : ParseLogTimestamp(second.captured_at);
  if (t1 != kNoTime && t2 != kNoTime && t1 > t2) {
    return Err(first_opt + " was captured at " + first.captured_at + ", after " + second_opt + " (" +
               second.captured_at + "): swapped? " + first_opt + " is the earlier snapshot");
  }
  bool moved = !first.system_identifier.empty() && !second.system_identifier.empty() &&
               first.system_identifier != second.system_identifier;
  if (moved && !allow_server_move) {
    return Err(first_opt + " and " + second_opt + " are of different servers (system_identifier " +
               first.system_identifier + " and " + second.system_identifier +
               "); if the database moved to another server between them, pass --allow-server-move");
  }
  // The real database name when both recorded it (a --label may differ).
  bool real = !first.datname.empty() && !second.datname.empty();
  const std::string& n1 = real ? first.datname : first.database;
  const std::string& n2 = real ? second.datname : second.database;
  if (!n1.empty() && !n2.empty() && n1 != n2) {
    return Err(first_opt + " and " + second_opt + " are of different databases (" + n1 + " and " + n2 + ")");
  }
  if (real && first.database_oid != 0 && second.database_oid != 0 && first.database_oid != second.database_oid &&
      !allow_server_move) {
    return Err(first_opt + " and " + second_opt + " are of different databases named " + n1 + " (oid " +
               std::to_string(first.database_oid) + " and " + std::to_string(second.database_oid) +
               ": dropped and re-created, or restored elsewhere); if it moved, pass --allow-server-move");
  }
  return Ok{};
}

// The databases a snapshot's rows are of: the one it connected to and, with
// snapshot --all-databases, every database of its rows. Empty when it does
// not record them (exports).
void SnapshotDatabases(const Snapshot& s, std::vector<std::string>* out) {
  if (s.datname.empty()) return;
  auto add = [out](const std::string& name) {
    if (!name.empty() && std::find(out->begin(), out->end(), name) == out->end()) out->push_back(name);
  };
  add(s.datname);
  for (const PgssEntry& e : s.entries) add(e.database);
}

}  // namespace

Result<Report> RunWeeklyReport(const WeeklyReportRequest& s, const std::function<void(const std::string&)>& warn) {
  auto from = ReadSnapshot(s.from);
  if (!from.ok()) return Err("--from: " + from.error());
  auto to = ReadSnapshot(s.to);
  if (!to.ok()) return Err("--to: " + to.error());
  std::unique_ptr<Snapshot> prev;
  if (!s.prev.empty()) {
    auto p = ReadSnapshot(s.prev);
    if (!p.ok()) return Err("--prev: " + p.error());
    prev = std::make_unique<Snapshot>(std::move(*p));
  }
  if (Status ok = BelongTogether(*from, "--from", *to, "--to", s.allow_server_move); !ok.ok()) return Err(ok.error());
  if (prev) {
    if (Status ok = BelongTogether(*prev, "--prev", *from, "--from", s.allow_server_move); !ok.ok()) {
      return Err(ok.error());
    }
  }
  // The --logs records counted: inside [from, to] (captured_at has whole
  // seconds: `to`'s second is in), of the snapshots' database(s).
  std::vector<std::string> scope_databases;
  if (!from->datname.empty() && !to->datname.empty()) {
    SnapshotDatabases(*from, &scope_databases);
    SnapshotDatabases(*to, &scope_databases);
    std::sort(scope_databases.begin(), scope_databases.end());
  }
  int64_t since = from->captured_at.empty() ? kNoTime : ParseLogTimestamp(from->captured_at);
  int64_t until = to->captured_at.empty() ? kNoTime : ParseLogTimestamp(to->captured_at);
  if (since == kNoTime || until == kNoTime) since = until = kNoTime;
  if (until != kNoTime) until += 1000000;
  // Journeys: --config, else ./.pgsift.toml when it exists.
  std::string config = s.config;
  if (config.empty() && std::filesystem::exists(".pgsift.toml")) config = ".pgsift.toml";
  std::vector<JourneySpec> journeys;
  if (!config.empty()) {
    auto loaded = LoadJourneys(config);
    if (!loaded.ok()) return Err(loaded.error());
    journeys = std::move(*loaded);
  }
  JourneyTracker tracker(journeys);
  RuleSelection selection;
  Status selected = AddRuleFlags(s.rules, &selection);
  if (!selected.ok()) return Err(selected.error());
  auto pgss_rules = MakePgssRules();
  auto pgss_selected = SelectRules(pgss_rules, selection);
  if (!pgss_selected.ok()) return Err(pgss_selected.error());
  auto workload_rules = MakeWorkloadRules();
  auto workload_selected = SelectRules(workload_rules, selection);
  if (!workload_selected.ok()) return Err(workload_selected.error());
  auto warn_inputs = [&warn](const AnalyzeResult& result) {
    for (const auto& in : result.inputs) {
      if (!in.error.empty()) warn(InputError(in));
      if (in.prefix_inferred && in.prefix_fit.disagreeing > 0) warn(in.name + ": " + PrefixNote(in));
      if (std::string zone = ZoneNote(in); !zone.empty()) warn(in.name + ": " + zone);
    }
  };
  // The previous window's logs give only its error count (week over week).
  int64_t prev_errors = -1;
  if (!s.prev_logs.empty()) {
    if (s.logs.empty()) return Err("--prev-logs needs --logs (the errors of this window to compare with)");
    AnalyzeOptions options;
    options.inputs = s.prev_logs;
    options.prefix = s.prefix.value_or("");
    options.prefix_given = s.prefix.has_value();
    options.filters.include_pgsift = s.include_pgsift;
    options.filters.databases = scope_databases;
    if (prev && !prev->captured_at.empty() && since != kNoTime) {
      options.filters.since_us = ParseLogTimestamp(prev->captured_at);
      options.filters.until_us = since;
    }
    auto result = Analyze(options);
    if (!result.ok() || !result->usable) {
      return Err("--prev-logs: " + (result.ok() ? "nothing usable was read" : result.error()));
    }
    warn_inputs(*result);
    prev_errors = static_cast<int64_t>(result->workload.summary.errors);
  }
  std::unique_ptr<AnalyzeResult> logs;
  size_t rules_run = 0;
  if (!s.logs.empty()) {
    AnalyzeOptions options;
    options.inputs = s.logs;
    options.prefix = s.prefix.value_or("");
    options.prefix_given = s.prefix.has_value();
    options.filters.include_pgsift = s.include_pgsift;
    options.statements = &tracker;
    options.filters.databases = scope_databases;
    options.filters.since_us = since;
    options.filters.until_us = until;
    rules_run = workload_selected->active.size();
    auto result = AnalyzeWithRules(options, workload_selected->active);
    if (!result.ok()) return Err("--logs: " + result.error());
    warn_inputs(*result);
    if (!result->usable) return Err("--logs: nothing usable was read");
    logs = std::make_unique<AnalyzeResult>(std::move(*result));
  }
  std::vector<const PgssRule*> pgss(pgss_selected->active.begin(), pgss_selected->active.end());
  Report report = BuildReport(*from, *to, prev.get(), logs.get(), rules_run, s.options, &pgss);
  report.before_log_errors = prev_errors;
  report.pgsift_left_out_pgss = to->pgsift_left_out;
  if (logs) {
    const WorkloadSummary& sum = logs->workload.summary;
    report.pgsift_left_out_logs = sum.pgsift_left_out;
    report.has_log_scope = true;
    LogScope& scope = report.log_scope;
    if (since != kNoTime) {
      scope.from = from->captured_at;
      scope.to = to->captured_at;
    }
    scope.databases = scope_databases;
    for (uint64_t n : sum.events_by_kind) scope.kept += n;
    scope.before = sum.left_out[static_cast<size_t>(LeftOut::kBefore)];
    scope.after = sum.left_out[static_cast<size_t>(LeftOut::kAfter)];
    scope.no_time = sum.left_out[static_cast<size_t>(LeftOut::kNoTime)];
    scope.other_database = sum.left_out[static_cast<size_t>(LeftOut::kDatabase)];
    scope.other_databases = sum.left_out_databases;
  }
  if (!s.label.empty()) report.database = s.label;
  report.journeys_configured = !journeys.empty();
  report.journeys = tracker.Results();
  return report;
}

}  // namespace pgsift
