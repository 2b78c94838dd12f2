// One advisor run, shared by `pgsift indexes` and the rule fixtures.
#include "pgsift/indexes.h"

namespace pgsift {

Result<IndexRunResult> RunIndexAdvisor(const IndexRunOptions& options, const std::vector<const IndexRule*>& rules) {
  IndexRunResult run;
  if (!options.logs.empty()) {
    PlanEvidenceCollector plans;
    AnalyzeOptions a;
    a.inputs = options.logs;
    a.jobs = options.jobs;
    a.plans = &plans;
    Result<AnalyzeResult> r = Analyze(a);
    if (!r.ok()) return Err(r.error());
    run.analyze = std::move(*r);
    run.plans = plans.Take();
    for (const InputReport& in : run.analyze.inputs) {
      if (!in.error.empty()) return Err(in.name + ": " + in.error);
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
    }
    RankCandidates(&run.advisor);
  }
  FindingList sink;
  for (const IndexRule* rule : rules) rule->Check(run.advisor, run.schema, run.context, sink);
  run.findings = sink.Sorted();
  return run;
}

}  // namespace pgsift
