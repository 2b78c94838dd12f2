// auto_explain JSON plans in a log: the Query Text extractor.
// fuzz-seeds: fixtures/logs/clinic.stderr.log plan-json
// fuzz-seeds: fixtures/hostile/plan_cut.log plan-json
#include <string>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string query;
  (void)pgsift::JsonPlanQueryText(pgsift::fuzz::View(data, size), &query);
  return 0;
}
