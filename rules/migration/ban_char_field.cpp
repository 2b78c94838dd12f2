// migration-ban-char-field: char(n) pads with spaces and is never better than text.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class BanCharField : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        "migration-ban-char-field", {"ban-char-field"},    "char(n) pads with spaces and is never better than text",
        Severity::kWarning,         RuleInput::kMigration, "rules/migration/ban_char_field.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationStatement& st : file.statements) {
      for (const TypedColumn& col : TypedColumns(st)) {
        std::string base = TypeBaseName(*col.type_name);
        if (!(base == "bpchar")) continue;
        std::string type = TypeDisplay(*col.type_name);
        Finding f = At(st,
                       "column " + col.column + " has type " + type + ": " +
                           "char(n) pads values with spaces and is no faster than text",
                       "use text (with a CHECK on length if needed)");
        f.key_extra += "|" + col.column;  // one finding per column
        sink.Report(std::move(f));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(BanCharField)

}  // namespace pgsift::migration
