// pg_stat_statements exports (`snapshot --from-export`): CSV, or JSON when
// the input starts with '[' or '{'.
// fuzz-seeds: fixtures/pgss/pgss_*.csv whole
// fuzz-seeds: fixtures/pgss/pgss_15.json whole
#include "fuzz_util.h"
#include "pgsift/pgss.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = pgsift::fuzz::View(data, size);
  bool json = !text.empty() && (text[0] == '[' || text[0] == '{');
  auto snapshot = json ? pgsift::ParsePgssJson(text, "fuzz") : pgsift::ParsePgssCsv(text, "fuzz");
  if (snapshot.ok()) pgsift::NormalizeSnapshot(&*snapshot);
  return 0;
}
