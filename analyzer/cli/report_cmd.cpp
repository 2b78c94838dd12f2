// `pgsift report --from A --to B [--prev P] [--logs ...]`: the weekly health
// report as Markdown, JSON or self-contained HTML.
#include <iostream>
#include <map>
#include <memory>

#include "commands.h"
#include "pgsift/report.h"
#include "rule_selection.h"

namespace pgsift::cli {

namespace {

// --format NAME -> renderer (pgsift/report.h); --partial is always JSON.
const std::map<std::string, std::string (*)(const Report&)> kRenderers = {
    {"md", RenderReportMarkdown},
    {"html", RenderReportHtml},
    {"json", [](const Report& r) { return RenderReportJson(r); }},
};
const std::map<std::string, std::string (*)(const FleetReport&)> kFleetRenderers = {
    {"md", RenderFleetMarkdown},
    {"html", RenderFleetHtml},
    {"json", RenderFleetJson},
};

struct ReportState {
  WeeklyReportRequest request;
  std::string format = "md", output;
  std::vector<std::string> merge;
  bool partial = false;
};

int Write(const std::string& text, const std::string& output) { return WriteOutput(output, text); }

int RunFleet(const ReportState& s) {
  std::vector<Report> reports;
  for (const std::string& path : s.merge) {
    auto r = ReadPartialReport(path);
    if (!r.ok()) {
      return Fail("--merge: ", r.error());
    }
    reports.push_back(std::move(*r));
  }
  FleetReport fleet = BuildFleetReport(reports, s.request.options.top);
  return Write(kFleetRenderers.at(s.format)(fleet), s.output);
}

int RunReport(const ReportState& s) {
  if (!s.merge.empty()) {
    if (!s.request.from.empty() || !s.request.to.empty() || s.partial) {
      return Fail("--merge takes partial reports only (no --from, --to or --partial)");
    }
    return RunFleet(s);
  }
  if (s.request.from.empty() || s.request.to.empty()) {
    return Fail("report needs --from and --to (or --merge PARTIAL...)");
  }
  auto report = RunWeeklyReport(s.request, [](const std::string& warning) { Say(warning); });
  if (!report.ok()) return Fail(report.error());
  if (s.partial) return Write(RenderReportJson(*report, true), s.output);
  return Write(kRenderers.at(s.format)(*report), s.output);
}

}  // namespace

Command AddReportCommand(CLI::App& app) {
  auto s = std::make_shared<ReportState>();
  CLI::App* cmd = app.add_subcommand("report", "Weekly health report from two snapshots (and the window's logs)");
  cmd->add_option("--from", s->request.from, "Snapshot at the start of the window");
  cmd->add_option("--to", s->request.to, "Snapshot at the end of the window");
  cmd->add_flag("--partial", s->partial,
                "Write JSON with every query of the window: the input of a fleet report (--merge)");
  cmd->add_option("--config", s->request.config,
                  "TOML file with [journeys.<name>] SLOs (default: ./.pgsift.toml if present)");
  cmd->add_option("--label", s->request.label, "Name of the database in the report (default: from the snapshot)");
  cmd->add_option(
      "--merge", s->merge,
      "Fleet report from partial reports (report --partial) and/or analyze JSONs of many databases (any order)");
  cmd->add_option("--prev", s->request.prev,
                  "Snapshot before --from: compare with the previous window (week over week)");
  cmd->add_option("--logs", s->request.logs,
                  "Server logs of the window: load by hour, errors, workload rules' findings");
  cmd->add_option("--prev-logs", s->request.prev_logs,
                  "Server logs of the previous window: week-over-week error count");
  cmd->add_option_function<std::string>(
      "--prefix", [s](const std::string& v) { s->request.prefix = v; },
      "log_line_prefix of stderr/syslog --logs and --prev-logs (default: detect)");
  AddLogZoneOption(cmd);
  cmd->add_flag("--allow-server-move", s->request.allow_server_move,
                "Accept snapshots of different servers (system_identifier) or database oids: the database moved "
                "(restore, upgrade by dump, failover to a rebuilt server); its name must still match");
  cmd->add_flag("--include-pgsift", s->request.include_pgsift,
                "Keep pgsift's own statements of the --logs (left out by default; snapshots keep them only when "
                "taken with snapshot --include-pgsift)");
  cmd->add_option("--format", s->format, "md, json or html")
      ->default_val("md")
      ->check(CLI::IsMember({"md", "json", "html"}));
  cmd->add_option("-o,--output", s->output, "Write here instead of stdout");
  cmd->add_option("--top", s->request.options.top, "Queries in the top list")->default_val(15);
  cmd->add_option("--regress-rel", s->request.options.regress_rel, "Regression: relative mean increase (0.5 = +50%)")
      ->default_val(0.5);
  cmd->add_option("--regress-abs-ms", s->request.options.regress_abs_ms, "Regression: absolute mean increase in ms")
      ->default_val(1.0);
  cmd->add_option("--min-calls", s->request.options.min_calls, "Regression: calls needed in both periods")
      ->default_val(10);
  AddRuleSelectionOptions(cmd, &s->request.rules);
  return {cmd, [s]() { return RunReport(*s); }};
}

}  // namespace pgsift::cli
