// migration-prefer-timestamptz: timestamp without time zone loses the zone of the value.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class PreferTimestamptz : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-prefer-timestamptz",
                                {"prefer-timestamptz", "prefer-timestamp-tz"},
                                "timestamp without time zone loses the zone of the value",
                                Severity::kWarning,
                                RuleInput::kMigration,
                                "rules/migration/prefer_timestamptz.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationStatement& st : file.statements) {
      for (const TypedColumn& col : TypedColumns(st)) {
        std::string base = TypeBaseName(*col.type_name);
        if (!(base == "timestamp")) continue;
        std::string type = TypeDisplay(*col.type_name);
        Finding f = At(st,
                       "column " + col.column + " has type " + type + ": " +
                           "timestamp without time zone stores wall-clock time and misreads values across zones",
                       "use timestamptz");
        f.key_extra += "|" + col.column;  // one finding per column
        sink.Report(std::move(f));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(PreferTimestamptz)

}  // namespace pgsift::migration
