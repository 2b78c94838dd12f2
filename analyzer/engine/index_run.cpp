// One advisor run, shared by `pgsift indexes` and the rule fixtures.
#include "pgsift/config.h"
#include "pgsift/indexes.h"

namespace pgsift {

Result<IndexRunResult> RunIndexAdvisor(const IndexRunOptions& options, const std::vector<const IndexRule*>& rules) {
  IndexRunResult run;
  if (!options.logs.empty()) {
    PlanEvidenceCollector plans;
    AnalyzeOptions a;
    a.inputs = options.logs;
    a.prefix = options.prefix.value_or("");
    a.prefix_given = options.prefix.has_value();
    a.jobs = options.jobs;
    a.plans = &plans;
    Result<AnalyzeResult> r = Analyze(a);
    if (!r.ok()) return Err(r.error());
    run.analyze = std::move(*r);
    run.plans = plans.Take();
    for (const InputReport& in : run.analyze.inputs) {
      if (!in.error.empty()) return Err(InputError(in));
    }
  }
  if (options.live) {
    Result<Schema> s = ReadLiveSchema(options.db);
    if (!s.ok()) return Err(s.error());
    run.schema = std::move(*s);
    run.context.live = true;
  } else {
    Result<Schema> s = LoadSchemaFiles(options.schema_paths);
    if (!s.ok()) return Err(s.error());
    run.schema = std::move(*s);
  }
  run.advisor = AdviseIndexes(run.analyze.workload, run.schema, options.advisor, &run.plans);
  if (options.live && options.prove) {
    Status proof = ProveCandidates(options.db, &run.advisor);
    if (proof.ok()) {
      run.context.proof_ran = true;
    } else {
      run.proof_error = proof.error();
      run.context.no_proof = proof.error();
    }
    RankCandidates(&run.advisor);
  }
  FindingList sink;
  for (const IndexRule* rule : rules) rule->Check(run.advisor, run.schema, run.context, sink);
  run.findings = sink.Sorted();
  return run;
}

Result<IndexesRun> RunIndexes(IndexesRequest s) {
  RuleSelection selection;
  selection.config_path_in_errors = true;
  Result<Config> loaded = LoadProjectConfig(s.config_path);
  if (!loaded.ok()) return Err(loaded.error());
  selection.config = std::move(*loaded);
  IndexesRun out;
  if (s.fail_on.empty()) s.fail_on = "none";
  out.fail_level = ParseSeverity(s.fail_on);
  if (!out.fail_level && s.fail_on != "none")
    return Err("--fail-on " + s.fail_on + ": expected info, warning, error or none");
  s.run.live = !s.run.db.dsn.empty() || s.use_env;
  if (s.run.live && !s.run.schema_paths.empty())
    return Err("give either --schema or a database (--dsn/--db), not both");
  if (!s.run.live && s.run.schema_paths.empty()) {
    return Err("no schema: pass --schema FILE|DIR (pg_dump --schema-only, migrations) or a database (--dsn, --db)");
  }
  s.run.prove = !s.no_proof;
  // The advisor keeps the candidates index-missing may report: its
  // min_saving, from the command line or else from the settings file.
  if (s.min_saving_given) {
    selection.sets["index-missing"]["min_saving"] = std::to_string(s.min_saving);
  } else {
    Result<double> from_file = ChooseRule("index-missing", selection).options.GetDouble("min_saving", s.min_saving);
    if (!from_file.ok()) return Err(selection.config.path + ": [rules.index-missing] " + from_file.error());
    s.min_saving = *from_file;
  }
  auto rules = MakeIndexRules();
  auto selected = SelectRules(rules, selection);
  if (!selected.ok()) return Err(selected.error());
  s.run.advisor.min_saving = s.min_saving;
  std::vector<const IndexRule*> active(selected->active.begin(), selected->active.end());
  Result<IndexRunResult> r = RunIndexAdvisor(s.run, active);
  if (!r.ok()) return Err(r.error());
  ApplySeverities(selected->severities, &r->findings);
  out.result = std::move(*r);
  out.min_saving = s.min_saving;
  return out;
}

}  // namespace pgsift
