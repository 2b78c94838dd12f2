// migration-changing-column-type: ALTER COLUMN TYPE takes an ACCESS EXCLUSIVE lock and usually rewrites the table.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class ChangingColumnType : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-changing-column-type",
                                {"changing-column-type"},
                                "ALTER COLUMN TYPE takes an ACCESS EXCLUSIVE lock and usually rewrites the table",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/changing_column_type.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      std::string table = RelName(Member(st.Node(), "relation"));
      if (file.CreatedBefore(table, i)) continue;
      for (const Json* cmd : AlterCmds(st)) {
        if (Str(*cmd, "subtype") != "AT_AlterColumnType") continue;
        const Json& def = Member(Member(*cmd, "def"), "ColumnDef");
        std::string column = Str(*cmd, "name");
        std::string type = TypeDisplay(Member(def, "typeName"));
        auto before = file.types_before.find({i, column});
        if (before != file.types_before.end() && !Member(def, "raw_default").is_object() &&
            KeepsStoredValues(before->second, Member(def, "typeName"))) {
          // The old type is known and every value stays as it is: the lock
          // without the rewrite.
          sink.Report(At(st,
                         "changing the type of " + table + "." + column + " from " + TypeDisplay(before->second) +
                             " to " + type +
                             " keeps every stored value (no rewrite) but still takes an ACCESS EXCLUSIVE lock while "
                             "it waits for running queries",
                         "set lock_timeout before it and retry on timeout"));
          continue;
        }
        sink.Report(At(st,
                       "changing the type of " + table + "." + column + " to " + type +
                           " locks the table (ACCESS EXCLUSIVE) and may rewrite it and its indexes",
                       "add a new column, backfill it in batches, switch readers and writers, then drop the old "
                       "one"));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(ChangingColumnType)

}  // namespace pgsift::migration
