// Kubernetes container logs (CRI, P parts joined) around stderr or
// CloudNativePG lines (analyzer/input/unwrap.h).
// fuzz-seeds: fixtures/platforms/clinic.cri.log.gz gunzip-chunk
// fuzz-seeds: fixtures/platforms/clinic.cnpg.cri.log.gz gunzip-chunk
#include "fuzz_util.h"
#include "input/unwrap.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pgsift::fuzz::ReadThroughPipeline(pgsift::fuzz::View(data, size),
                                    [](pgsift::LineReader* lines, pgsift::RecordSink* sink) {
                                      pgsift::LogInput log;
                                      log.format = pgsift::LogFormat::kCri;
                                      pgsift::input_internal::ReadCri(lines, log, sink);
                                    });
  return 0;
}
