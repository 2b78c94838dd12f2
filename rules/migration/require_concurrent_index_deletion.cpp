// migration-require-concurrent-index-deletion: DROP INDEX without CONCURRENTLY blocks reads and writes of the table.
#include <set>

#include "migration/util.h"

namespace pgsift::migration {

namespace {

class RequireConcurrentIndexDeletion : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-require-concurrent-index-deletion",
                                {"require-concurrent-index-deletion"},
                                "DROP INDEX without CONCURRENTLY blocks reads and writes of the table",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/require_concurrent_index_deletion.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    std::set<std::string> created;
    for (const MigrationStatement& st : file.statements) {
      if (st.kind == "IndexStmt") created.insert(Str(st.Node(), "idxname"));
      if (st.kind != "DropStmt" || Str(st.Node(), "removeType") != "OBJECT_INDEX" || Bool(st.Node(), "concurrent")) {
        continue;
      }
      bool all_new = true;
      for (const Json& obj : Member(st.Node(), "objects")) {
        const Json& items = Member(Member(obj, "List"), "items");
        std::string name = items.is_array() && !items.empty() ? Sval(items.back()) : "";
        if (!created.count(name)) all_new = false;
      }
      if (all_new) continue;  // an index made earlier in this file is not in use yet
      sink.Report(At(st, "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table",
                     "use DROP INDEX CONCURRENTLY, outside a transaction"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(RequireConcurrentIndexDeletion)

}  // namespace pgsift::migration
