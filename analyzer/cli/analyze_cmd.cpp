// `pgsift analyze`: logs in, per-fingerprint table and JSON report out.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "commands.h"
#include "rule_selection.h"
#include "pgsift/analyze.h"
#include "pgsift/analyze_html.h"
#include "pgsift/analyze_output.h"
#include "pgsift/workload_rules.h"

namespace pgsift::cli {

namespace {

int RunAnalyze(AnalyzeOptions options, const TableOptions& table, const std::string& json_path,
               const std::string& html_path, bool quiet, const RuleSelection& selection) {
  if (isatty(STDERR_FILENO)) {
    options.progress = [](const std::string& name, uint64_t bytes) {
      std::cerr << "\r" << name << ": " << (bytes >> 20) << " MiB read" << std::flush;
    };
  }
  if (json_path == "-" && html_path == "-") return Fail("--json - and --html -: only one of them can go to standard output");
  // A report on standard output is the output: no table mixed into it.
  quiet |= json_path == "-" || html_path == "-";
  auto rules = MakeWorkloadRules();
  auto selected = SelectRules(rules, selection);
  if (!selected.ok()) {
    return Fail(selected.error());
  }
  auto result = AnalyzeWithRules(options, selected->active);
  if (options.progress) std::cerr << "\r\033[K" << std::flush;
  if (!result.ok()) {
    return Fail(result.error());
  }
  bool none_opened = !result->inputs.empty();
  for (const auto& in : result->inputs) {
    if (!in.error.empty()) Say(InputError(in));
    none_opened &= in.bytes == 0 && in.error.find(": cannot open") != std::string::npos;
  }
  if (none_opened) {
    // No input could be opened (missing, unreadable): its error said it;
    // no empty report after it.
    return kExitError;
  }
  if (result->fingerprints.truncated > 0) {
    Say(result->fingerprints.truncated, " statement(s) longer than ", (kMaxStatementBytes >> 20), " MiB fingerprinted from their first ", (kMaxStatementBytes >> 20), " MiB (marked \"truncated\" in the JSON report)");
  }
  if (result->fingerprints.too_complex > 0) {
    Say(result->fingerprints.too_complex, " statement(s) nested too deeply (or too costly to scan) for libpg_query got pgsift's fallback "
                 "fingerprint (\"fallback\": true in the JSON report)");
  }
  if (result->fingerprints.overflow > 0) {
    Say("more than ", (options.max_shapes ? options.max_shapes : kDefaultMaxShapes), " distinct statement shapes: ", result->fingerprints.overflow, " statement(s) of later shapes are counted together as one overflow entry (raise --max-shapes)");
  }
  if (!json_path.empty()) {
    auto out = OutputFile::Open(json_path);
    if (!out.ok()) return Fail(out.error());
    WriteAnalyzeJson(*result, table, (*out)->out());
    Status written = (*out)->Commit();
    if (!written.ok()) return Fail(written.error());
  }
  if (!html_path.empty()) {
    auto out = OutputFile::Open(html_path);
    if (!out.ok()) return Fail(out.error());
    WriteAnalyzeHtml(BuildHtmlModel(*result, HtmlModelOptions{}), (*out)->out());
    Status written = (*out)->Commit();
    if (!written.ok()) return Fail(written.error());
  }
  if (!result->usable) {
    // Each input's problem was said above: no empty report after it.
    return Fail("nothing usable was read");
  }
  if (!quiet) WriteAnalyzeTable(*result, table, std::cout);
  return kExitOk;
}

struct AnalyzeState {
  AnalyzeOptions options;
  TableOptions table;
  std::string json_path, html_path, format = "auto", since, until;
  bool quiet = false;
  RuleFlags rules;
};

}  // namespace

Command AddAnalyzeCommand(CLI::App& app) {
  auto s = std::make_shared<AnalyzeState>();
  AnalyzeOptions& options = s->options;
  TableOptions& table = s->table;
  CLI::App* analyze = app.add_subcommand("analyze", "Aggregate server logs per query fingerprint");
  analyze->add_option("files", options.inputs, "Log files (plain, .gz, .bz2, .xz, .zst); - for stdin")->required();
  analyze->add_option("--format", s->format, LogFormatNames(", "))->default_val("auto");
  analyze->add_option("--prefix", options.prefix, "log_line_prefix of stderr/syslog logs (default: detect)");
  AddLogZoneOption(analyze);
  analyze->add_option("--top", table.top, "Queries shown in the table")->default_val(20);
  analyze->add_flag("--cache-stats", table.cache_stats,
                    "Add the fingerprint cache's hits, parser calls and shapes to the JSON (they vary with -j and "
                    "thread scheduling)");
  analyze->add_option("--sort", table.sort, "total, mean, calls, max, p95, errors")
      ->default_val("total")
      ->check(CLI::IsMember({"total", "mean", "calls", "max", "p95", "errors"}));
  analyze->add_option("--json", s->json_path,
                      "Write the JSON report (schema pgsift.analyze.v1) to this file ('-': standard output, no table)");
  analyze->add_option("--html", s->html_path,
                      "Write the report as one self-contained HTML file (charts, sortable top queries, errors, "
                      "findings)");
  analyze->add_option("--database", options.filters.databases, "Only this database (repeatable)");
  analyze->add_option("--user", options.filters.users, "Only this user (repeatable)");
  analyze->add_option("--application", options.filters.applications, "Only this application_name (repeatable)");
  analyze->add_flag("--include-pgsift", options.filters.include_pgsift,
                    "Keep pgsift's own sessions and statements (application_name pgsift/..., left out by default)");
  analyze->add_option("--since", s->since, "Only events at or after this time ('2026-11-23 08:00:00 UTC')");
  analyze->add_option("--until", s->until, "Only events before this time");
  analyze->add_option("--width", table.width, "Table width in columns")->default_val(120);
  analyze->add_flag("--quiet,-q", s->quiet, "No table on stdout (with --json or --html)");
  analyze->add_option("--jobs,-j", options.jobs, "Parsing threads (default: one per core)")
      ->check(CLI::Range(0u, kMaxJobs));
  analyze
      ->add_option("--max-shapes", options.max_shapes,
                   "Distinct statement shapes kept (all threads together); later ones are counted as one overflow "
                   "entry")
      ->default_val(kDefaultMaxShapes);
  AddRuleSelectionOptions(analyze, &s->rules);

  return {analyze, [s, analyze]() -> int {
            AnalyzeOptions& options = s->options;
            auto fmt = ParseLogFormat(s->format);
            if (!fmt.ok()) {
              return Fail("--format: ", fmt.error());
            }
            options.format = *fmt;
            options.prefix_given = analyze->count("--prefix") > 0;
            for (auto [text, dst] :
                 {std::pair{&s->since, &options.filters.since_us}, std::pair{&s->until, &options.filters.until_us}}) {
              if (text->empty()) continue;
              bool unknown_zone = false;
              *dst = ParseLogTimestamp(*text, &unknown_zone);
              if (*dst == kNoTime || unknown_zone) {
                return Fail("cannot read time '", *text, "'", unknown_zone ? ": unknown time zone" : "",
                            " (use 'YYYY-MM-DD HH:MM:SS[ TZ]', TZ an offset such as +09:00 or an abbreviation "
                            "such as UTC or JST)");
              }
            }
            RuleSelection selection;
            Status selected = AddRuleFlags(s->rules, &selection);
            if (!selected.ok()) {
              return Fail(selected.error());
            }
            return RunAnalyze(std::move(options), s->table, s->json_path, s->html_path, s->quiet, selection);
          }};
}

}  // namespace pgsift::cli
