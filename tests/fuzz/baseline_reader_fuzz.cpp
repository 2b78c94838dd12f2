// Baseline files (pgsift.baseline.v1), as `pgsift check` reads them: a file
// that reads is written back and read again to the same file, and every
// query compared with itself is unchanged (no finding).
// fuzz-seeds: fixtures/baseline/*.baseline.json whole
// fuzz-seeds: fixtures/fuzz/baseline_reader_fuzz/* whole
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "pgsift/baseline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto baseline = pgsift::ReadBaselineJson(pgsift::fuzz::View(data, size), "fuzz.json");
  if (!baseline.ok()) return 0;
  std::string written = pgsift::WriteBaselineJson(*baseline);
  auto back = pgsift::ReadBaselineJson(written, "fuzz.json");
  if (!back.ok()) __builtin_trap();
  if (pgsift::WriteBaselineJson(*back) != written) __builtin_trap();
  for (const pgsift::BaselineEntry& e : back->queries) {
    std::vector<pgsift::Finding> findings;
    pgsift::QueryComparison c = pgsift::ComparePlans(e, e, pgsift::CheckThresholds{}, &findings);
    if (!findings.empty()) __builtin_trap();
    (void)c;
  }
  return 0;
}
