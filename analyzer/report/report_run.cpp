// RunWeeklyReport: the inputs of `pgsift report` read and its rules run, in
// the order its errors are reported.
#include <filesystem>
#include <memory>

#include "pgsift/journeys.h"
#include "pgsift/pgss.h"
#include "pgsift/pgss_rules.h"
#include "pgsift/analyze_output.h"
#include "pgsift/report.h"
#include "pgsift/workload_rules.h"

namespace pgsift {

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
      if (!in.error.empty()) warn(in.name + ": " + in.error);
      if (in.prefix_inferred && in.prefix_fit.disagreeing > 0) warn(in.name + ": " + PrefixNote(in));
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
  if (logs) report.pgsift_left_out_logs = logs->workload.summary.pgsift_left_out;
  if (!s.label.empty()) report.database = s.label;
  report.journeys_configured = !journeys.empty();
  report.journeys = tracker.Results();
  return report;
}

}  // namespace pgsift
