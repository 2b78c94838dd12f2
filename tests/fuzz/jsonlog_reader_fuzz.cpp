// jsonlog.
// fuzz-seeds: fixtures/logs/clinic.json chunk
// fuzz-seeds: fixtures/hostile/*.json chunk
#include "fuzz_util.h"
#include "pgsift/readers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pgsift::fuzz::ReadThroughPipeline(pgsift::fuzz::View(data, size), pgsift::ReadJsonLog);
  return 0;
}
