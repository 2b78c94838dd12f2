// Schema JSON (pgsift.schema.v1, `pgsift indexes --dump-schema`) as --schema
// FILE.json reads it: a file that reads is written back and read again to
// the same file.
// fuzz-seeds: fixtures/baseline/*.schema.json whole
// fuzz-seeds: fixtures/rules/index-*/*.json whole
// fuzz-seeds: fixtures/fuzz/schema_json_fuzz/* whole
#include <string>

#include "fuzz_util.h"
#include "pgsift/indexes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto schema = pgsift::SchemaFromJson(pgsift::fuzz::View(data, size), "fuzz.json");
  if (!schema.ok()) return 0;
  std::string json = pgsift::SchemaToJson(*schema);
  auto back = pgsift::SchemaFromJson(json, "fuzz.json");
  if (!back.ok()) __builtin_trap();
  if (pgsift::SchemaToJson(*back) != json) __builtin_trap();
  (void)pgsift::IndexStatsOf(back->tables.empty() ? pgsift::SchemaTable{} : back->tables.begin()->second);
  return 0;
}
