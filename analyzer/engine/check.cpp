// `pgsift check` without its flags and renderers: the baseline and the
// migrations read, the lint, the scratch run, then per guarded query the
// plan rules over the baseline plan and its re-plan.
#include "pgsift/check.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "pgsift/config.h"
#include "pgsift/plan_rules.h"

namespace pgsift {

namespace {

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

// Row estimates, planner settings: how close the scratch database's
// statistics are to the source's.
void CompareFidelity(const Baseline& baseline, const ScratchRun& run, CheckReport* report) {
  for (const auto& [name, value] : baseline.settings) {
    auto it = run.settings.find(name);
    std::string now = it == run.settings.end() ? "(unset)" : it->second;
    if (now != value) report->settings_diff[name] = {value, now};
  }
  for (const auto& [name, before] : baseline.relation_rows) {
    auto it = run.relation_rows.find(name);
    int64_t after = it == run.relation_rows.end() ? -1 : it->second;
    ++report->relations_compared;
    double lo = static_cast<double>(before) * 0.9, hi = static_cast<double>(before) * 1.1;
    if (static_cast<double>(after) < lo || static_cast<double>(after) > hi) report->rows_diff[name] = {before, after};
  }
}

// One guarded query: refused by the gate, broken, or compared (generic
// against generic when its log values were not given again).
QueryComparison CompareQuery(const CheckRequest& request, const SelectedRules<PlanRule>& rules, const ScratchRun& run,
                             const BaselineEntry& old_e, const BaselineEntry* replan, std::vector<Finding>* found,
                             std::vector<std::string>* refused_lines) {
  QueryComparison c;
  auto run_rules = [&](const PlanOutcome& o) {
    FindingList sink;
    for (const PlanRule* rule : rules.active) rule->Check(o, sink);
    ApplySeverities(rules.severities, &sink.findings());
    for (Finding& f : sink.findings()) found->push_back(std::move(f));
  };
  if (auto refused = run.refused.find(old_e.name); refused != run.refused.end()) {
    // Never sent to the server (the baseline file is untrusted input).
    refused_lines->push_back(refused->second);
    c.name = old_e.name;
    c.display = old_e.display;
    c.status = "refused";
    c.old_cost = old_e.plan.total_cost;
    c.error = refused->second;
    PlanOutcome o;
    o.before = &old_e;
    o.refused = c.error;
    run_rules(o);
  } else if (replan == nullptr) {
    c.name = old_e.name;
    c.display = old_e.display;
    c.status = "broken";
    c.old_cost = old_e.plan.total_cost;
    auto err = run.errors.find(old_e.name);
    c.error = err == run.errors.end() ? "not re-planned" : err->second;
    std::vector<Finding> none;
    c.old_tree = ComparePlans(old_e, old_e, request.thresholds, &none).old_tree;
    PlanOutcome o;
    o.before = &old_e;
    o.error = c.error;
    run_rules(o);
  } else if (run.generic_fallback.count(old_e.name) && old_e.generic_fallback) {
    // Generic against generic: the capture's value-specific plan has
    // nothing to be compared with here.
    BaselineEntry old_generic = old_e;
    old_generic.plan = *old_e.generic_fallback;
    old_generic.generic_plan = true;
    c = ComparePlans(old_generic, *replan, request.thresholds, rules.active, rules.severities, found);
    c.values = "generic fallback: " + (request.values.paths.empty() ? std::string("no --values-from")
                                                                    : std::string("no matching values in the logs"));
  } else {
    c = ComparePlans(old_e, *replan, request.thresholds, rules.active, rules.severities, found);
    if (old_e.params_origin == "log") c.values = "log values";
  }
  return c;
}

}  // namespace

Result<CheckRun> RunCheck(const CheckRequest& request) {
  auto text = ReadText(request.baseline_path);
  if (!text.ok()) return Err(text.error());
  const ScratchOptions& scratch_options = request.scratch;
  if (scratch_options.sample_percent > 0 && scratch_options.create_from.dsn.empty()) {
    return Err("--sample needs --create-scratch-from (the database to sample)");
  }
  if (scratch_options.source_stats && scratch_options.sample_percent <= 0) {
    return Err("--source-stats needs --create-scratch-from DSN --sample PERCENT (the statistics go onto the sample)");
  }
  auto baseline = ReadBaselineJson(*text, request.baseline_path);
  if (!baseline.ok()) return Err(baseline.error());

  CheckRun out;
  CheckReport& report = out.report;
  report.baseline_path = request.baseline_path;
  report.analyze = baseline->analyze;
  report.fail_on = request.fail_on;
  // The plan rules as every command selects rules: [rules] of the project's
  // settings (enable, disable, severity).
  auto config = LoadProjectConfig(request.config_path);
  if (!config.ok()) return Err(config.error());
  RuleSelection selection;
  selection.config = std::move(*config);
  std::vector<std::unique_ptr<PlanRule>> all_rules = MakePlanRules();
  auto rules = SelectRules(all_rules, selection);
  if (!rules.ok()) return Err(rules.error());
  report.rules = rules->infos;
  std::sort(report.rules.begin(), report.rules.end(), [](const RuleInfo& a, const RuleInfo& b) { return a.id < b.id; });
  report.baseline_server = baseline->server_major;

  std::optional<LintWorkload> workload;
  if (!request.workload_paths.empty()) {
    auto w = LoadLintWorkload(request.workload_paths);
    if (!w.ok()) return Err(w.error());
    workload = std::move(*w);
  }

  // Parse every migration first: a syntax error stops before anything runs.
  auto files = FindMigrationFiles(request.migrations);
  if (!files.ok()) return Err(files.error());
  if (files->empty()) return Err("no migration files found in the --migrations paths");
  LintOptions lint_options;
  IndexCatalog indexes;
  lint_options.indexes = &indexes;
  ColumnCatalog columns;  // a type one file changes, from the file that made it
  lint_options.columns = &columns;
  std::vector<LoadedMigration> loaded;
  if (request.lint) {
    // Its syntax errors are the same as the ones found below.
    auto lint = request.lint();
    if (!lint.ok()) return Err(lint.error());
    for (Finding& f : lint->findings) report.findings.push_back(std::move(f));
    for (RuleInfo& r : lint->rules) report.rules.push_back(std::move(r));
  }
  for (const std::string& path : *files) {
    auto t = ReadText(path);
    if (!t.ok()) {
      report.errors.push_back({{path, 0, 0, 0, 0}, "cannot read"});
      continue;
    }
    loaded.push_back(LoadMigration(path, *t, lint_options));
    for (const LintDiagnostic& d : loaded.back().diagnostics) report.errors.push_back(d);
    // Only parsed statements are applied: one the parser could not read
    // (newer syntax, a lint finding) would be skipped, so check stops there.
    for (const MigrationFile::Unparsed& u : loaded.back().file.unparsed) {
      if (u.error.rfind("DO body: ", 0) == 0) continue;  // the DO itself parsed and is applied
      report.errors.push_back({u.statement.location, "syntax error: " + u.error +
                                                         " (pgsift parses with PostgreSQL 15's grammar and applies "
                                                         "only what it parsed; nothing was applied)"});
    }
  }

  if (!report.errors.empty()) {
    report.statistics = "not reached (migration files did not parse)";
    SortFindings(&report.findings);
    return out;
  }
  PlanOptions plan_options;
  plan_options.analyze = baseline->analyze;
  plan_options.repeats = request.repeats > 0 ? request.repeats : baseline->repeats;
  plan_options.show_values = request.show_values;
  ScratchOptions scratch = request.scratch;
  auto values = MatchLogValues(request.values, *baseline, &scratch.log_values, &report.values_notes);
  if (!values.ok()) return Err(values.error());
  auto run = RunOnScratch(scratch, loaded, *baseline, plan_options);
  // Cleaned up; the caller ends as the signal asked.
  if (ScratchInterruptSignal()) return Err(run.ok() ? "interrupted" : run.error());
  if (!run.ok()) return Err(run.error());
  out.notes = run->notes;
  report.statistics = run->statistics;
  report.scratch_server = run->server_major;
  for (const AppliedFile& a : run->applied) report.migrations.push_back(a.path);
  // The trace of every file applied in full (a failed file's is not shown:
  // it was rolled back, or stopped half-way).
  size_t traced = run->applied.size() - (run->migration_error && !run->applied.empty() ? 1 : 0);
  for (size_t i = 0; i < traced && i < loaded.size() && i < run->applied.size(); ++i) {
    TraceWorkload context{workload ? &*workload : nullptr, scratch_options.sample_percent};
    report.traces.push_back(BuildFileTrace(loaded[i].file, run->applied[i], &report.findings, context));
  }
  if (!run->applied.empty()) report.rules.push_back(TraceRuleInfo());
  if (run->migration_error && !run->applied.empty()) {
    // The last file is the one that failed: not applied.
    report.failed_migration = run->applied.back().path;
    report.failed_rolled_back = run->applied.back().in_transaction;
    report.migrations.pop_back();
  }
  if (run->migration_error) {
    report.errors.push_back(*run->migration_error);
    SortFindings(&report.findings);
    return out;
  }
  CompareFidelity(*baseline, *run, &report);
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
    report.queries.push_back(
        CompareQuery(request, *rules, *run, old_e, it == replans.end() ? nullptr : it->second, &found, &out.refused));
    for (Finding& f : found) {
      f.location.file = request.baseline_path;
      report.findings.push_back(std::move(f));
    }
  }
  SortFindings(&report.findings);
  return out;
}

}  // namespace pgsift
