// migration-prefer-bigint-over-smallint: smallint overflows at 32,767; use bigint.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class PreferBigintOverSmallint : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-prefer-bigint-over-smallint",
                                {"prefer-bigint-over-smallint"},
                                "smallint overflows at 32,767; use bigint",
                                Severity::kWarning,
                                RuleInput::kMigration,
                                "rules/migration/prefer_bigint_over_smallint.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationStatement& st : file.statements) {
      for (const TypedColumn& col : TypedColumns(st)) {
        std::string base = TypeBaseName(*col.type_name);
        if (!(base == "int2" || base == "smallint" || base == "smallserial" || base == "serial2")) continue;
        std::string type = TypeDisplay(*col.type_name);
        Finding f =
            At(st, "column " + col.column + " has type " + type + ": " + "smallint overflows at 32,767", "use bigint");
        f.key_extra += "|" + col.column;  // one finding per column
        sink.Report(std::move(f));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(PreferBigintOverSmallint)

}  // namespace pgsift::migration
