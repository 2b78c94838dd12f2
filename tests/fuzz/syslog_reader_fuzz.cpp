// syslog (RFC 3164 / 5424, with and without sequence numbers).
// fuzz-seeds: fixtures/pgbadger/pg-syslog.2.gz gunzip-chunk
#include "fuzz_util.h"
#include "pgsift/readers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pgsift::fuzz::ReadThroughPipeline(
      pgsift::fuzz::View(data, size),
      [](pgsift::LineReader* lines, pgsift::RecordSink* sink) { pgsift::ReadSyslog(lines, "", sink); });
  return 0;
}
