// `pgsift report --from A --to B [--prev P] [--logs ...]`: the weekly health
// report as Markdown, JSON or self-contained HTML.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/rule_selection.h"
#include "pgsift/journeys.h"
#include "pgsift/pgss.h"
#include "pgsift/pgss_rules.h"
#include "pgsift/report.h"
#include "pgsift/workload_rules.h"

namespace pgsift::cli {

namespace {

struct ReportState {
  std::string from, to, prev, format = "md", output, label, config;
  std::vector<std::string> logs, prev_logs, merge;
  bool partial = false;
  ReportOptions options;
  RuleSelection rules;
};

int Write(const std::string& text, const std::string& output) { return WriteOutput(output, text); }

int RunFleet(const ReportState& s) {
  std::vector<Report> reports;
  for (const std::string& path : s.merge) {
    auto r = ReadPartialReport(path);
    if (!r.ok()) {
      std::cerr << "pgsift: --merge: " << r.error() << "\n";
      return kExitError;
    }
    reports.push_back(std::move(*r));
  }
  FleetReport fleet = BuildFleetReport(reports, s.options.top);
  return Write(s.format == "json"   ? RenderFleetJson(fleet)
               : s.format == "html" ? RenderFleetHtml(fleet)
                                    : RenderFleetMarkdown(fleet),
               s.output);
}

int RunReport(const ReportState& s) {
  if (!s.merge.empty()) {
    if (!s.from.empty() || !s.to.empty() || s.partial) {
      std::cerr << "pgsift: --merge takes partial reports only (no --from, --to or --partial)\n";
      return kExitError;
    }
    return RunFleet(s);
  }
  if (s.from.empty() || s.to.empty()) {
    std::cerr << "pgsift: report needs --from and --to (or --merge PARTIAL...)\n";
    return kExitError;
  }
  auto from = ReadSnapshot(s.from);
  if (!from.ok()) {
    std::cerr << "pgsift: --from: " << from.error() << "\n";
    return kExitError;
  }
  auto to = ReadSnapshot(s.to);
  if (!to.ok()) {
    std::cerr << "pgsift: --to: " << to.error() << "\n";
    return kExitError;
  }
  std::unique_ptr<Snapshot> prev;
  if (!s.prev.empty()) {
    auto p = ReadSnapshot(s.prev);
    if (!p.ok()) {
      std::cerr << "pgsift: --prev: " << p.error() << "\n";
      return kExitError;
    }
    prev = std::make_unique<Snapshot>(std::move(*p));
  }
  // Journeys: --config, else ./.pgsift.toml when it exists.
  std::string config = s.config;
  if (config.empty() && std::filesystem::exists(".pgsift.toml")) config = ".pgsift.toml";
  std::vector<JourneySpec> journeys;
  if (!config.empty()) {
    auto loaded = LoadJourneys(config);
    if (!loaded.ok()) {
      std::cerr << "pgsift: " << loaded.error() << "\n";
      return kExitError;
    }
    journeys = std::move(*loaded);
  }
  JourneyTracker tracker(journeys);
  RuleSelection selection = s.rules;
  Status selected = ResolveRuleSelection(&selection);
  auto pgss_rules = MakePgssRules();
  auto pgss_active = ConfigureRules(pgss_rules, selection);
  auto workload_rules = MakeWorkloadRules();
  auto workload_active = ConfigureRules(workload_rules, selection);
  for (const std::string& error : {selected.ok() ? "" : selected.error(), pgss_active.ok() ? "" : pgss_active.error(),
                                   workload_active.ok() ? "" : workload_active.error()}) {
    if (error.empty()) continue;
    std::cerr << "pgsift: " << error << "\n";
    return kExitError;
  }
  // The previous window's logs give only its error count (week over week).
  int64_t prev_errors = -1;
  if (!s.prev_logs.empty()) {
    if (s.logs.empty()) {
      std::cerr << "pgsift: --prev-logs needs --logs (the errors of this window to compare with)\n";
      return kExitError;
    }
    AnalyzeOptions options;
    options.inputs = s.prev_logs;
    auto result = Analyze(options);
    if (!result.ok() || !result->usable) {
      std::cerr << "pgsift: --prev-logs: " << (result.ok() ? "nothing usable was read" : result.error()) << "\n";
      return kExitError;
    }
    for (const auto& in : result->inputs) {
      if (!in.error.empty()) std::cerr << "pgsift: " << in.name << ": " << in.error << "\n";
    }
    prev_errors = static_cast<int64_t>(result->workload.summary.errors);
  }
  std::unique_ptr<AnalyzeResult> logs;
  size_t rules_run = 0;
  if (!s.logs.empty()) {
    AnalyzeOptions options;
    options.inputs = s.logs;
    options.statements = &tracker;
    rules_run = workload_active->size();
    auto result = AnalyzeWithRules(options, *workload_active);
    if (!result.ok()) {
      std::cerr << "pgsift: --logs: " << result.error() << "\n";
      return kExitError;
    }
    for (const auto& in : result->inputs) {
      if (!in.error.empty()) std::cerr << "pgsift: " << in.name << ": " << in.error << "\n";
    }
    if (!result->usable) {
      std::cerr << "pgsift: --logs: nothing usable was read\n";
      return kExitError;
    }
    logs = std::make_unique<AnalyzeResult>(std::move(*result));
  }
  std::vector<const PgssRule*> pgss(pgss_active->begin(), pgss_active->end());
  Report report = BuildReport(*from, *to, prev.get(), logs.get(), rules_run, s.options, &pgss);
  report.before_log_errors = prev_errors;
  if (!s.label.empty()) report.database = s.label;
  report.journeys_configured = !journeys.empty();
  report.journeys = tracker.Results();
  std::string text = s.format == "json" || s.partial ? RenderReportJson(report, s.partial)
                     : s.format == "html"            ? RenderReportHtml(report)
                                                     : RenderReportMarkdown(report);
  return Write(text, s.output);
}

}  // namespace

Command AddReportCommand(CLI::App& app) {
  auto s = std::make_shared<ReportState>();
  CLI::App* cmd = app.add_subcommand("report", "Weekly health report from two snapshots (and the window's logs)");
  cmd->add_option("--from", s->from, "Snapshot at the start of the window");
  cmd->add_option("--to", s->to, "Snapshot at the end of the window");
  cmd->add_flag("--partial", s->partial,
                "Write JSON with every query of the window: the input of a fleet report (--merge)");
  cmd->add_option("--config", s->config, "TOML file with [journeys.<name>] SLOs (default: ./.pgsift.toml if present)");
  cmd->add_option("--label", s->label, "Name of the database in the report (default: from the snapshot)");
  cmd->add_option(
      "--merge", s->merge,
      "Fleet report from partial reports (report --partial) and/or analyze JSONs of many databases (any order)");
  cmd->add_option("--prev", s->prev, "Snapshot before --from: compare with the previous window (week over week)");
  cmd->add_option("--logs", s->logs, "Server logs of the window: load by hour, errors, workload rules' findings");
  cmd->add_option("--prev-logs", s->prev_logs, "Server logs of the previous window: week-over-week error count");
  cmd->add_option("--format", s->format, "md, json or html")
      ->default_val("md")
      ->check(CLI::IsMember({"md", "json", "html"}));
  cmd->add_option("-o,--output", s->output, "Write here instead of stdout");
  cmd->add_option("--top", s->options.top, "Queries in the top list")->default_val(15);
  cmd->add_option("--regress-rel", s->options.regress_rel, "Regression: relative mean increase (0.5 = +50%)")
      ->default_val(0.5);
  cmd->add_option("--regress-abs-ms", s->options.regress_abs_ms, "Regression: absolute mean increase in ms")
      ->default_val(1.0);
  cmd->add_option("--min-calls", s->options.min_calls, "Regression: calls needed in both periods")->default_val(10);
  AddRuleSelectionOptions(cmd, &s->rules);
  return {cmd, [s]() { return RunReport(*s); }};
}

}  // namespace pgsift::cli
