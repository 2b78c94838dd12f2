// `pgsift check`: apply migrations to a scratch database, re-plan the
// baseline's guarded queries, report plan regressions (and the migration lint
// findings of the same files). Exit 0 clean, 1 findings at/above --fail-on,
// 2 usage or runtime error (unreadable baseline, syntax error, a migration
// statement that fails).
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/lint_run.h"
#include "pgsift/log_values.h"
#include "pgsift/scratch.h"
#include "report/check_report.h"

namespace pgsift::cli {

namespace {

struct CheckState {
  ScratchOptions scratch;
  std::string baseline_path, output, format = "text", fail_on = "error", lint_config;
  std::vector<std::string> migrations;
  CheckThresholds thresholds;
  bool no_lint = false, show_values = false;
  LogValuesOptions values;  // --values-from, --prefix
  int repeats = 0;          // 0: as in the baseline
};

// The values `check` re-plans the baseline's log-valued queries with: the
// same selection over --values-from logs as at capture, accepted only when
// the tag matches (the same values). Every other log-valued query falls
// back to generic plans, and a note says which and why.
Status MatchLogValues(const LogValuesOptions& options, const Baseline& baseline,
                      std::map<std::string, std::vector<std::string>>* out, std::vector<std::string>* notes) {
  std::vector<const BaselineEntry*> logged;
  for (const BaselineEntry& e : baseline.queries) {
    if (e.params_origin == "log") logged.push_back(&e);
  }
  if (logged.empty()) {
    if (!options.paths.empty()) notes->push_back("--values-from: the baseline has no queries planned with log values");
    return Ok{};
  }
  std::map<uint64_t, LogValues> found;
  if (!options.paths.empty()) {
    std::vector<uint64_t> fps;
    for (const BaselineEntry* e : logged) fps.push_back(std::stoull(e->fingerprint, nullptr, 16));
    auto collected = CollectLogValues(options, fps);
    if (!collected.ok()) return Err("--values-from: " + collected.error());
    found = std::move(*collected);
  }
  std::vector<std::string> missing, other;
  size_t matched = 0;
  for (const BaselineEntry* e : logged) {
    auto it = found.find(std::stoull(e->fingerprint, nullptr, 16));
    if (it == found.end()) {
      missing.push_back(e->name);
    } else if (it->second.tag != e->values_tag) {
      other.push_back(e->name);
    } else {
      (*out)[e->name] = it->second.params;
      ++matched;
    }
  }
  if (matched) notes->push_back(std::to_string(matched) + " queries planned with the capture's values from the logs");
  auto list = [](const std::vector<std::string>& names) {
    std::string s;
    for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
  };
  if (!missing.empty()) {
    notes->push_back("planned generically (generic plans compared; " +
                     std::string(options.paths.empty() ? "pass --values-from with the capture's logs"
                                                       : "no execution with parameters in the --values-from logs") +
                     "): " + list(missing));
  }
  if (!other.empty()) {
    notes->push_back(
        "planned generically (the --values-from logs give other values than the capture's; generic plans compared): " +
        list(other));
  }
  return Ok{};
}

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(path + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int RunCheck(const CheckState& s) {
  std::optional<Severity> fail_level = ParseSeverity(s.fail_on);
  if (!fail_level && s.fail_on != "none")
    return Fail("--fail-on " + s.fail_on + ": expected info, warning, error or none");
  auto text = ReadText(s.baseline_path);
  if (!text.ok()) return Fail(text.error());
  if (s.scratch.sample_percent > 0 && s.scratch.create_from.dsn.empty()) {
    return Fail("--sample needs --create-scratch-from (the database to sample)");
  }
  if (s.scratch.source_stats && s.scratch.sample_percent <= 0) {
    return Fail("--source-stats needs --create-scratch-from DSN --sample PERCENT (the statistics go onto the sample)");
  }
  auto baseline = ReadBaselineJson(*text, s.baseline_path);
  if (!baseline.ok()) return Fail(baseline.error());

  CheckReport report;
  report.baseline_path = s.baseline_path;
  report.analyze = baseline->analyze;
  report.fail_on = s.fail_on;
  report.rules = PlanRuleInfos();
  report.baseline_server = baseline->server_major;

  // Parse every migration first: a syntax error stops before anything runs.
  auto files = FindMigrationFiles(s.migrations);
  if (!files.ok()) return Fail(files.error());
  if (files->empty()) return Fail("no migration files found in the --migrations paths");
  LintOptions lint_options;
  IndexCatalog indexes;
  lint_options.indexes = &indexes;
  std::vector<LoadedMigration> loaded;
  if (!s.no_lint) {
    // The lint exactly as `pgsift lint` runs it (.pgsift.toml, --lint-config);
    // its syntax errors are the same as the ones found below.
    LintRequest request;
    request.paths = s.migrations;
    request.config_path = s.lint_config;
    request.fail_on = "none";
    auto lint = RunMigrationLint(request);
    if (!lint.ok()) return Fail(lint.error());
    for (Finding& f : lint->report.findings) report.findings.push_back(std::move(f));
    for (RuleInfo& r : lint->report.rules) report.rules.push_back(std::move(r));
  }
  for (const std::string& path : *files) {
    auto t = ReadText(path);
    if (!t.ok()) {
      report.errors.push_back({{path, 0, 0, 0, 0}, "cannot read"});
      continue;
    }
    loaded.push_back(LoadMigration(path, *t, lint_options));
    for (const LintDiagnostic& d : loaded.back().diagnostics) report.errors.push_back(d);
  }

  if (report.errors.empty()) {
    PlanOptions plan_options;
    plan_options.analyze = baseline->analyze;
    plan_options.repeats = s.repeats > 0 ? s.repeats : baseline->repeats;
    plan_options.show_values = s.show_values;
    ScratchOptions scratch = s.scratch;
    auto values = MatchLogValues(s.values, *baseline, &scratch.log_values, &report.values_notes);
    if (!values.ok()) return Fail(values.error());
    auto run = RunOnScratch(scratch, loaded, *baseline, plan_options);
    if (int sig = ScratchInterruptSignal()) {
      // Cleaned up; end as the signal asked (128 + its number).
      Fail(run.ok() ? "interrupted" : run.error());
      return 128 + sig;
    }
    if (!run.ok()) return Fail(run.error());
    for (const std::string& note : run->notes) std::cerr << "pgsift: " << note << "\n";
    report.statistics = run->statistics;
    report.scratch_server = run->server_major;
    for (const AppliedFile& a : run->applied) report.migrations.push_back(a.path);
    if (run->migration_error) {
      report.errors.push_back(*run->migration_error);
    } else {
      for (const auto& [name, value] : baseline->settings) {
        auto it = run->settings.find(name);
        std::string now = it == run->settings.end() ? "(unset)" : it->second;
        if (now != value) report.settings_diff[name] = {value, now};
      }
      for (const auto& [name, before] : baseline->relation_rows) {
        auto it = run->relation_rows.find(name);
        int64_t after = it == run->relation_rows.end() ? -1 : it->second;
        ++report.relations_compared;
        double lo = static_cast<double>(before) * 0.9, hi = static_cast<double>(before) * 1.1;
        if (static_cast<double>(after) < lo || static_cast<double>(after) > hi)
          report.rows_diff[name] = {before, after};
      }
      std::map<std::string, const BaselineEntry*> replans, before;
      for (const BaselineEntry& e : run->replans) replans[e.name] = &e;
      for (const BaselineEntry& e : run->before) before[e.name] = &e;
      report.statistics += std::string("; costs") + (baseline->analyze ? ", time and buffers" : "") +
                           " compared with the same scratch database before the migrations, plan shapes with the "
                           "baseline";
      for (const BaselineEntry& baseline_e : baseline->queries) {
        // Plan shapes are compared with the baseline's; costs, time and
        // buffers with the scratch database's before the migrations, so a
        // slower or busier CI machine, or a sample (costs scale with it), is
        // neither a regression nor hides one.
        BaselineEntry old_e = baseline_e;
        if (auto b = before.find(old_e.name); b != before.end()) {
          old_e.plan.total_cost = b->second->plan.total_cost;
          if (old_e.generic_fallback && run->generic_fallback.count(old_e.name)) {
            old_e.generic_fallback->total_cost = b->second->plan.total_cost;
          }
          old_e.median_ms = b->second->median_ms;
          old_e.median_shared_blocks = b->second->median_shared_blocks;
        } else {
          old_e.median_ms = -1;
          old_e.median_shared_blocks = -1;
        }
        auto it = replans.find(old_e.name);
        std::vector<Finding> found;
        QueryComparison c;
        if (auto refused = run->refused.find(old_e.name); refused != run->refused.end()) {
          // Never sent to the server (the baseline file is untrusted input).
          std::cerr << "pgsift check: " << refused->second << "\n";
          c.name = old_e.name;
          c.display = old_e.display;
          c.status = "refused";
          c.old_cost = old_e.plan.total_cost;
          c.error = refused->second;
          // A guarded query the gate refuses is a guard lost: the baseline was
          // edited (or written by a pgsift without the gate). Fail, not skip.
          Finding f;
          f.rule_id = "plan-query-refused";
          f.severity = Severity::kError;
          f.message = c.name + ": not sent to the server: " + c.error;
          f.help =
              "The baseline is untrusted input: pgsift sends only one SELECT (or a DML statement inside a rolled-back "
              "EXPLAIN). Capture the baseline again from the logs or a queries file, and review who edited it.";
          f.key_extra = c.name;
          found.push_back(std::move(f));
        } else if (it == replans.end()) {
          c.name = old_e.name;
          c.display = old_e.display;
          c.status = "broken";
          c.old_cost = old_e.plan.total_cost;
          auto err = run->errors.find(old_e.name);
          c.error = err == run->errors.end() ? "not re-planned" : err->second;
          QueryComparison tree = ComparePlans(old_e, old_e, s.thresholds, &found);
          found.clear();
          c.old_tree = tree.old_tree;
          Finding f;
          f.rule_id = "plan-query-broken";
          f.severity = Severity::kError;
          f.message = c.name + ": no longer plans after the migrations: " + c.error;
          f.help = "The migration broke this query (a dropped column or table, a type the query no longer matches).";
          f.key_extra = c.name;
          found.push_back(std::move(f));
        } else if (run->generic_fallback.count(old_e.name) && old_e.generic_fallback) {
          // Generic against generic: the capture's value-specific plan has
          // nothing to be compared with here.
          BaselineEntry old_generic = old_e, new_generic = *it->second;
          old_generic.plan = *old_e.generic_fallback;
          old_generic.generic_plan = true;
          c = ComparePlans(old_generic, new_generic, s.thresholds, &found);
          c.values = "generic fallback: " + (s.values.paths.empty() ? std::string("no --values-from")
                                                                    : std::string("no matching values in the logs"));
        } else {
          c = ComparePlans(old_e, *it->second, s.thresholds, &found);
          if (old_e.params_origin == "log") c.values = "log values";
        }
        for (Finding& f : found) {
          f.location.file = s.baseline_path;
          report.findings.push_back(std::move(f));
        }
        report.queries.push_back(std::move(c));
      }
    }
  } else {
    report.statistics = "not reached (migration files did not parse)";
  }
  SortFindings(&report.findings);

  std::string doc;
  if (s.format == "text") {
    doc = CheckText(report);
  } else if (s.format == "markdown") {
    doc = CheckMarkdown(report);
  } else if (s.format == "json") {
    doc = CheckJson(report);
  } else if (s.format == "sarif") {
    doc = LintSarif(ToLintReport(report));
  } else {
    doc = LintJunit(ToLintReport(report));
  }
  return FinishLintOutput(doc, s.output, s.format != "text" || !s.output.empty(), report.errors, report.findings,
                          fail_level);
}

}  // namespace

Command AddCheckCommand(CLI::App& app) {
  auto s = std::make_shared<CheckState>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Apply migrations to a scratch database and compare the guarded queries' plans with a baseline");
  cmd->add_option("--baseline", s->baseline_path, "Baseline file from pgsift baseline capture")->required();
  cmd->add_option("--migrations", s->migrations, "Migration files or directories, applied in order")
      ->required()
      ->allow_extra_args(false);
  cmd->add_option("--scratch-dsn", s->scratch.connect.dsn,
                  "The throw-away database to migrate (default: $DATABASE_URL, then PG* env)");
  cmd->add_option("--create-scratch-from", s->scratch.create_from.dsn,
                  "Create the scratch database as a copy of this one (CREATE DATABASE ... TEMPLATE; it must have no "
                  "other sessions), drop it afterwards; the source itself is never changed");
  cmd->add_option("--sample", s->scratch.sample_percent,
                  "With --create-scratch-from: fill the new database with the source's schema (pg_dump) and this "
                  "percentage of every table's rows (TABLESAMPLE) instead of a template copy; the source may be in use")
      ->check(CLI::Range(0.0001, 100.0));
  cmd->add_flag("--source-stats", s->scratch.source_stats,
                "With --sample: give the sample the source's statistics (row counts from pg_class, column statistics "
                "from pg_stats; heap files grown with rolled-back rows), so it plans like the source; needs a "
                "superuser on the scratch server");
  cmd->add_option("--grow-cap-mb", s->scratch.grow_cap_mb,
                  "With --source-stats: at most this many MB written in total to grow the heap files (default 1024)")
      ->check(CLI::Range(static_cast<uint64_t>(0), static_cast<uint64_t>(1) << 40));
  cmd->add_option("--pg-dump", s->scratch.pg_dump, "pg_dump binary for --sample (default: pg_dump on PATH)");
  cmd->add_flag("--scratch-is-disposable", s->scratch.confirmed,
                "Confirm that the --scratch-dsn database may be changed (pgsift refuses without it, and unless the "
                "database carries the marker: COMMENT ON DATABASE name IS 'pgsift:scratch')");
  cmd->add_option("--format", s->format, "text, markdown, json, sarif, junit")
      ->default_val("text")
      ->check(CLI::IsMember({"text", "markdown", "json", "sarif", "junit"}));
  cmd->add_option("-o,--output", s->output, "Write the report to this file instead of stdout");
  cmd->add_option("--fail-on", s->fail_on, "Exit 1 on a finding at or above: info, warning, error (default), none");
  cmd->add_option("--cost-ratio", s->thresholds.cost_ratio, "Cost regression: new/old at least (default 2.0)");
  cmd->add_option("--cost-abs", s->thresholds.cost_abs, "Cost regression: new-old at least (default 100)");
  cmd->add_option("--time-ratio", s->thresholds.time_ratio, "ANALYZE: median time new/old at least (default 2.0)");
  cmd->add_option("--time-ms", s->thresholds.time_abs_ms, "ANALYZE: median time new-old at least, ms (default 5)");
  cmd->add_option("--buffers-ratio", s->thresholds.buffers_ratio, "ANALYZE: buffers new/old at least (default 2.0)");
  cmd->add_option("--buffers-abs", s->thresholds.buffers_abs, "ANALYZE: buffers new-old at least (default 100)");
  cmd->add_option("--repeats", s->repeats, "ANALYZE runs per query (default: as in the baseline)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--lint-config", s->lint_config, "Settings for the lint (default: ./.pgsift.toml if present)");
  cmd->add_flag("--no-lint", s->no_lint, "Do not run the migration lint rules on the migrations");
  cmd->add_flag("--show-values", s->show_values, "Keep literals in plan conditions");
  cmd->add_option("--values-from", s->values.paths,
                  "Server logs the baseline's log values were taken from (baseline capture --values-from): the same "
                  "values are re-planned; without them those queries are compared on generic plans")
      ->allow_extra_args(false);
  cmd->add_option("--prefix", s->values.prefix, "log_line_prefix of stderr --values-from logs (default: inferred)");
  cmd->add_option("--statement-timeout", s->scratch.connect.statement_timeout_ms, "Milliseconds per statement")
      ->default_val(60000);
  cmd->add_option("--lock-timeout", s->scratch.connect.lock_timeout_ms, "Milliseconds to wait for a lock")
      ->default_val(2000);
  return {cmd, [s]() { return RunCheck(*s); }};
}

}  // namespace pgsift::cli
