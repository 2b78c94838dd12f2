// Migration files: splitting, parsing, every migration rule, ignores.
// fuzz-seeds: fixtures/migrations/*/*.sql whole
// fuzz-seeds: fixtures/migrations/*/*/*.sql whole
// fuzz-seeds: fixtures/rules/migration-*/*.sql whole
// fuzz-seeds: fixtures/fuzz/migration_lint_fuzz/* whole
#include <memory>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "pgsift/migration.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto rules = pgsift::MakeMigrationRules();
  static const auto views = [] {
    std::vector<const pgsift::MigrationRule*> v;
    for (const auto& r : rules) v.push_back(r.get());
    return v;
  }();
  pgsift::LintOptions options;
  pgsift::LoadedMigration loaded =
      pgsift::LoadMigration("V1__fuzz.sql", std::string(pgsift::fuzz::View(data, size)), options);
  (void)pgsift::LintMigration(loaded, views, true);
  return 0;
}
