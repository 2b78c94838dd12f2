// CloudNativePG JSON lines (analyzer/input/unwrap.h).
// fuzz-seeds: fixtures/platforms/cnpg.log.gz gunzip-chunk
// fuzz-seeds: fixtures/platforms/clinic.cnpg.json.gz gunzip-chunk
#include "fuzz_util.h"
#include "input/unwrap.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pgsift::fuzz::ReadThroughPipeline(
      pgsift::fuzz::View(data, size),
      [](pgsift::LineReader* lines, pgsift::RecordSink* sink) { pgsift::input_internal::ReadCnpg(lines, sink); });
  return 0;
}
