// auto_explain text plans (and any text): the EXPLAIN text reader, the plan
// evidence taken from what it reads, and the LIKE pattern counter on the
// same bytes (first line as the statement, the rest as its parameters).
// fuzz-seeds: fixtures/logs/clinic.stderr.log plan-text
// fuzz-seeds: fixtures/rules/index-missing/err_clinic_stderr.log plan-text
#include <string>

#include "fuzz_util.h"
#include "pgsift/indexes.h"
#include "pgsift/plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = pgsift::fuzz::View(data, size);
  pgsift::Result<pgsift::ExplainPlan> plan = pgsift::ReadExplainText(text);
  pgsift::PlanEvidence evidence;
  if (plan.ok()) {
    pgsift::AddPlanEvidence(*plan, &evidence);
    for (const auto& [name, t] : evidence.tables) (void)pgsift::DescribePlanEvidence(t);
  }
  size_t nl = text.find('\n');
  pgsift::CountLikePatterns(text.substr(0, nl), nl == std::string_view::npos ? "" : text.substr(nl + 1), &evidence);
  return 0;
}
