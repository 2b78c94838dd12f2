// migration-prefer-bigint-over-int: int (32-bit) keys run out; use bigint.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class PreferBigintOverInt : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-prefer-bigint-over-int",
                                {"prefer-bigint-over-int"},
                                "int (32-bit) keys run out; use bigint",
                                Severity::kWarning,
                                RuleInput::kMigration,
                                "rules/migration/prefer_bigint_over_int.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationStatement& st : file.statements) {
      for (const TypedColumn& col : TypedColumns(st)) {
        std::string base = TypeBaseName(*col.type_name);
        if (!(base == "int4" || base == "int" || base == "integer" || base == "serial" || base == "serial4")) continue;
        std::string type = TypeDisplay(*col.type_name);
        Finding f =
            At(st, "column " + col.column + " has type " + type + ": " + "32-bit integers overflow at 2,147,483,647",
               "use bigint (or bigserial / bigint identity); the extra 4 bytes rarely matter");
        f.key_extra += "|" + col.column;  // one finding per column
        sink.Report(std::move(f));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(PreferBigintOverInt)

}  // namespace pgsift::migration
