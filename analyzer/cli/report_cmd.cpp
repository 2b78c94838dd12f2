// `pgsift report --from A --to B [--prev P] [--logs ...]`: the weekly health
// report as Markdown, JSON or self-contained HTML.
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "pgsift/pgss.h"
#include "pgsift/report.h"
#include "pgsift/workload_rules.h"

namespace pgsift::cli {

namespace {

struct ReportState {
  std::string from, to, prev, format = "md", output;
  std::vector<std::string> logs;
  ReportOptions options;
};

int RunReport(const ReportState& s) {
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
  std::unique_ptr<AnalyzeResult> logs;
  size_t rules_run = 0;
  if (!s.logs.empty()) {
    AnalyzeOptions options;
    options.inputs = s.logs;
    auto rules = MakeWorkloadRules();
    std::vector<WorkloadRule*> active;
    for (auto& rule : rules) active.push_back(rule.get());
    rules_run = active.size();
    auto result = AnalyzeWithRules(options, active);
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
  Report report = BuildReport(*from, *to, prev.get(), logs.get(), rules_run, s.options);
  std::string text = s.format == "json"   ? RenderReportJson(report)
                     : s.format == "html" ? RenderReportHtml(report)
                                          : RenderReportMarkdown(report);
  if (s.output.empty() || s.output == "-") {
    std::cout << text;
    return kExitOk;
  }
  std::ofstream out(s.output, std::ios::binary);
  out << text;
  if (!out.flush()) {
    std::cerr << "pgsift: cannot write " << s.output << "\n";
    return kExitError;
  }
  return kExitOk;
}

}  // namespace

Command AddReportCommand(CLI::App& app) {
  auto s = std::make_shared<ReportState>();
  CLI::App* cmd = app.add_subcommand("report", "Weekly health report from two snapshots (and the window's logs)");
  cmd->add_option("--from", s->from, "Snapshot at the start of the window")->required();
  cmd->add_option("--to", s->to, "Snapshot at the end of the window")->required();
  cmd->add_option("--prev", s->prev, "Snapshot before --from: compare with the previous window (week over week)");
  cmd->add_option("--logs", s->logs, "Server logs of the window: load by hour, errors, workload rules' findings");
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
  return {cmd, [s]() { return RunReport(*s); }};
}

}  // namespace pgsift::cli
