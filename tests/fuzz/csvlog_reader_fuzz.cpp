// csvlog.
// fuzz-seeds: fixtures/logs/clinic.csv chunk
// fuzz-seeds: fixtures/hostile/*.csv chunk
// fuzz-seeds: fixtures/pgbadger/pg_rawcsv.log whole
// fuzz-seeds: fixtures/pgbadger/csv_statement_without_duration.log whole
#include "fuzz_util.h"
#include "pgsift/readers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pgsift::fuzz::ReadThroughPipeline(pgsift::fuzz::View(data, size), pgsift::ReadCsvLog);
  return 0;
}
