// migration-prefer-text-field: varchar(n): changing n later takes an ACCESS EXCLUSIVE lock.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class PreferTextField : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-prefer-text-field",
                                {"prefer-text-field"},
                                "varchar(n): changing n later takes an ACCESS EXCLUSIVE lock",
                                Severity::kWarning,
                                RuleInput::kMigration,
                                "rules/migration/prefer_text_field.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationStatement& st : file.statements) {
      for (const TypedColumn& col : TypedColumns(st)) {
        std::string base = TypeBaseName(*col.type_name);
        if (!(base == "varchar" && Member(*col.type_name, "typmods").is_array())) continue;
        std::string type = TypeDisplay(*col.type_name);
        Finding f = At(st,
                       "column " + col.column + " has type " + type + ": " +
                           "raising the limit later needs an ALTER TYPE under an ACCESS EXCLUSIVE lock",
                       "use text with a CHECK (length(col) <= n) constraint, which can be changed NOT VALID");
        f.key_extra += "|" + col.column;  // one finding per column
        sink.Report(std::move(f));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(PreferTextField)

}  // namespace pgsift::migration
