// .pgsift.toml: the lint settings and the journeys (report SLOs).
// fuzz-seeds: fixtures/pgss/journeys.toml whole
#include "fuzz_util.h"
#include "pgsift/config.h"
#include "pgsift/journeys.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = pgsift::fuzz::View(data, size);
  (void)pgsift::ParseConfig(text, ".pgsift.toml");
  (void)pgsift::ParseJourneys(text, ".pgsift.toml");
  return 0;
}
