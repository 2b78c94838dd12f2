// Schema DDL as `pgsift indexes --schema` and `lint --schema` replay it
// (pg_dump --schema-only files, migrations): ApplySchemaSql, then the schema
// JSON written and read back to the same file.
// fuzz-seeds: fixtures/baseline/schema.sql whole
// fuzz-seeds: fixtures/plans/schema.sql whole
// fuzz-seeds: fixtures/rules/*/schema.sql whole
// fuzz-seeds: fixtures/rules/index-*/*.sql whole
// fuzz-seeds: fixtures/baseline/migrations/*/*.sql whole
// fuzz-seeds: fixtures/migrations/*/*.sql whole
// fuzz-seeds: fixtures/fuzz/schema_sql_fuzz/* whole
#include <string>

#include "fuzz_util.h"
#include "pgsift/indexes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pgsift::Schema schema;
  schema.source = "files";
  if (!pgsift::ApplySchemaSql(pgsift::fuzz::View(data, size), "fuzz.sql", &schema).ok()) return 0;
  auto lookup = schema.Lookup();
  for (const auto& [key, t] : schema.tables) {
    for (const std::string& c : t.columns) {
      if (!lookup(t.schema, t.name, c)) __builtin_trap();
    }
  }
  std::string json = pgsift::SchemaToJson(schema);
  auto back = pgsift::SchemaFromJson(json, "fuzz.json");
  if (!back.ok()) __builtin_trap();
  if (pgsift::SchemaToJson(*back) != json) __builtin_trap();
  return 0;
}
