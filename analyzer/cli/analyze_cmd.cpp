// `pgsift analyze`: logs in, per-fingerprint table and JSON report out.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "cli/commands.h"
#include "pgsift/analyze.h"
#include "pgsift/reporter.h"
#include "pgsift/workload_rules.h"

namespace pgsift::cli {

namespace {

using RuleSettings = std::map<std::pair<std::string, std::string>, std::string>;

int RunAnalyze(AnalyzeOptions options, const TableOptions& table, const std::string& json_path, bool quiet,
               const RuleSettings& settings, const std::set<std::string>& disabled) {
  if (isatty(STDERR_FILENO)) {
    options.progress = [](const std::string& name, uint64_t bytes) {
      std::cerr << "\r" << name << ": " << (bytes >> 20) << " MiB read" << std::flush;
    };
  }
  auto rules = MakeWorkloadRules();
  std::vector<WorkloadRule*> active;
  for (auto& rule : rules) {
    RuleOptions ro;
    for (const auto& [key, value] : settings) {
      if (key.first == rule->Info().id) ro.Set(key.second, value);
    }
    Status configured = rule->Configure(ro);
    if (!configured.ok()) {
      std::cerr << "pgsift: " << rule->Info().id << ": " << configured.error() << "\n";
      return kExitError;
    }
    if (!disabled.count(rule->Info().id)) active.push_back(rule.get());
  }
  auto result = AnalyzeWithRules(options, active);
  if (options.progress) std::cerr << "\r\033[K" << std::flush;
  if (!result.ok()) {
    std::cerr << "pgsift: " << result.error() << "\n";
    return kExitError;
  }
  for (const auto& in : result->inputs) {
    if (!in.error.empty()) std::cerr << "pgsift: " << in.name << ": " << in.error << "\n";
  }
  if (result->fingerprints.truncated > 0) {
    std::cerr << "pgsift: " << result->fingerprints.truncated << " statement(s) longer than "
              << (kMaxStatementBytes >> 20) << " MiB fingerprinted from their first " << (kMaxStatementBytes >> 20)
              << " MiB (marked \"truncated\" in the JSON report)\n";
  }
  if (result->fingerprints.overflow > 0) {
    std::cerr << "pgsift: more than " << (options.max_shapes ? options.max_shapes : kDefaultMaxShapes)
              << " distinct statement shapes: " << result->fingerprints.overflow
              << " statement(s) of later shapes are counted together as one overflow entry (raise --max-shapes)\n";
  }
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    if (!out) {
      std::cerr << "pgsift: cannot write " << json_path << "\n";
      return kExitError;
    }
    WriteAnalyzeJson(*result, table, out);
  }
  if (!quiet) WriteAnalyzeTable(*result, table, std::cout);
  if (!result->usable) {
    std::cerr << "pgsift: nothing usable was read\n";
    return kExitError;
  }
  return kExitOk;
}

struct AnalyzeState {
  AnalyzeOptions options;
  TableOptions table;
  std::string json_path, format = "auto", since, until;
  bool quiet = false;
  std::vector<std::string> sets, disabled;
};

}  // namespace

Command AddAnalyzeCommand(CLI::App& app) {
  auto s = std::make_shared<AnalyzeState>();
  AnalyzeOptions& options = s->options;
  TableOptions& table = s->table;
  CLI::App* analyze = app.add_subcommand("analyze", "Aggregate server logs per query fingerprint");
  analyze->add_option("files", options.inputs, "Log files (plain, .gz, .bz2, .xz, .zst); - for stdin")->required();
  analyze->add_option("--format", s->format, "auto, stderr, csv, json, syslog")->default_val("auto");
  analyze->add_option("--prefix", options.prefix, "log_line_prefix of stderr/syslog logs (default: detect)");
  analyze->add_option("--top", table.top, "Queries shown in the table")->default_val(20);
  analyze->add_option("--sort", table.sort, "total, mean, calls, max, p95, errors")
      ->default_val("total")
      ->check(CLI::IsMember({"total", "mean", "calls", "max", "p95", "errors"}));
  analyze->add_option("--json", s->json_path, "Write the JSON report (schema pgsift.analyze.v1) to this file");
  analyze->add_option("--database", options.filters.databases, "Only this database (repeatable)");
  analyze->add_option("--user", options.filters.users, "Only this user (repeatable)");
  analyze->add_option("--application", options.filters.applications, "Only this application_name (repeatable)");
  analyze->add_option("--since", s->since, "Only events at or after this time ('2026-11-23 08:00:00 UTC')");
  analyze->add_option("--until", s->until, "Only events before this time");
  analyze->add_option("--width", table.width, "Table width in columns")->default_val(120);
  analyze->add_flag("--quiet,-q", s->quiet, "No table on stdout (with --json)");
  analyze->add_option("--jobs,-j", options.jobs, "Parsing threads (default: one per core)");
  analyze
      ->add_option("--max-shapes", options.max_shapes,
                   "Distinct statement shapes kept per thread; later ones are counted as one overflow entry")
      ->default_val(kDefaultMaxShapes);
  analyze->add_option("--set", s->sets,
                      "Rule option RULE.KEY=VALUE (repeatable), e.g. workload-n-plus-one.min_burst=8");
  analyze->add_option("--disable", s->disabled, "Do not run this rule (repeatable)");

  return {
      analyze, [s, analyze]() -> int {
        AnalyzeOptions& options = s->options;
        auto fmt = ParseLogFormat(s->format);
        if (!fmt.ok()) {
          std::cerr << "pgsift: --format: " << fmt.error() << "\n";
          return kExitError;
        }
        options.format = *fmt;
        options.prefix_given = analyze->count("--prefix") > 0;
        for (auto [text, dst] :
             {std::pair{&s->since, &options.filters.since_us}, std::pair{&s->until, &options.filters.until_us}}) {
          if (text->empty()) continue;
          *dst = ParseLogTimestamp(*text);
          if (*dst == kNoTime) {
            std::cerr << "pgsift: cannot read time '" << *text << "' (use 'YYYY-MM-DD HH:MM:SS[ TZ]')\n";
            return kExitError;
          }
        }
        RuleSettings settings;
        for (const std::string& set : s->sets) {
          size_t dot = set.find('.'), eq = set.find('=');
          if (dot == std::string::npos || eq == std::string::npos || dot > eq) {
            std::cerr << "pgsift: --set " << set << ": expected RULE.KEY=VALUE\n";
            return kExitError;
          }
          if (!MakeRule(set.substr(0, dot))) {
            std::cerr << "pgsift: --set " << set << ": unknown rule\n";
            return kExitError;
          }
          settings[{MakeRule(set.substr(0, dot))->Info().id, set.substr(dot + 1, eq - dot - 1)}] = set.substr(eq + 1);
        }
        std::set<std::string> disabled;
        for (const std::string& id : s->disabled) {
          auto rule = MakeRule(id);
          if (!rule) {
            std::cerr << "pgsift: --disable " << id << ": unknown rule\n";
            return kExitError;
          }
          disabled.insert(rule->Info().id);
        }
        return RunAnalyze(std::move(options), s->table, s->json_path, s->quiet, settings, disabled);
      }};
}

}  // namespace pgsift::cli
