// Cloud SQL: Cloud Logging entries, JSON lines or gcloud's JSON array
// (analyzer/input/unwrap.h), textPayload read by the stderr reader.
// fuzz-seeds: fixtures/platforms/cloudsql.log.gz gunzip-chunk
// fuzz-seeds: fixtures/platforms/cloudsql.gcloud.json.gz gunzip-chunk
#include "fuzz_util.h"
#include "input/unwrap.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pgsift::fuzz::ReadThroughPipeline(pgsift::fuzz::View(data, size),
                                    [](pgsift::LineReader* lines, pgsift::RecordSink* sink) {
                                      pgsift::LogInput log;
                                      log.format = pgsift::LogFormat::kCloudSql;
                                      pgsift::input_internal::ReadCloudSql(lines, log, sink);
                                    });
  return 0;
}
