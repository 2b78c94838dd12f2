// migration-ban-drop-table: Dropping a table loses data and breaks clients that still use it.
#include <vector>

#include "migration/util.h"

namespace pgsift::migration {

namespace {

class BanDropTable : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-ban-drop-table",
                                {"ban-drop-table"},
                                "Dropping a table loses data and breaks clients that still use it",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/ban_drop_table.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      if (st.kind != "DropStmt" || Str(st.Node(), "removeType") != "OBJECT_TABLE") continue;
      std::vector<std::string> names;
      bool all_new = true;
      for (const Json& obj : Member(st.Node(), "objects")) {
        const Json& items = Member(Member(obj, "List"), "items");
        std::string name;
        for (const Json& it : items) name += (name.empty() ? "" : ".") + Sval(it);
        if (!items.is_array() || items.empty() || !file.CreatedBefore(Sval(items.back()), i)) {
          all_new = false;
        }
        names.push_back(name);
      }
      if (all_new) continue;  // created earlier in this file
      std::string list;
      for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
      sink.Report(
          At(st, "dropping table " + list + " loses its data and breaks clients that still use it",
             "stop using it in the application first; keep a backup or rename it and drop it in a later release"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(BanDropTable)

}  // namespace pgsift::migration
