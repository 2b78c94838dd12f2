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
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      if (st.kind != "DropStmt" || Str(st.Node(), "removeType") != "OBJECT_INDEX" || Bool(st.Node(), "concurrent")) {
        continue;
      }
      // An index made earlier in this file is not used yet, but dropping it
      // still locks its table: only a table made here too is harmless.
      std::set<std::string> existing;
      bool all_new = true;
      for (const Json& obj : Member(st.Node(), "objects")) {
        QualifiedTable index = ObjectName(obj);
        std::optional<QualifiedTable> on_table = IndexTable(file, index.schema, index.table, i);
        std::string table = on_table ? on_table->table : "";
        if (table.empty() || !file.CreatedBefore(table, i)) all_new = false;
        if (!table.empty() && !file.CreatedBefore(table, i)) existing.insert(table);
      }
      if (all_new) continue;
      std::string on = existing.empty() ? "the table" : *existing.begin();
      sink.Report(At(st, "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on " + on,
                     "use DROP INDEX CONCURRENTLY, outside a transaction"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(RequireConcurrentIndexDeletion)

}  // namespace pgsift::migration
