// migration-rewrites-table-twice: two statements of one migration file each
// rewrite the same existing table (and rebuild its indexes) under ACCESS
// EXCLUSIVE, where one ALTER TABLE with both changes rewrites it once.
#include <map>

#include "migration/util.h"
#include "pgsift/format.h"

namespace pgsift::migration {

namespace {

class RewritesTableTwice : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-rewrites-table-twice",
                                {},
                                "The same existing table rewritten by two statements of one migration",
                                Severity::kWarning,
                                RuleInput::kMigration,
                                "rules/migration/rewrites_table_twice.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    std::map<std::string, std::pair<size_t, std::string>> first;  // table → first rewrite (statement, what)
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      std::optional<TableRewrite> rewrite = Rewrite(file, i);
      if (!rewrite || file.CreatedBefore(rewrite->table, i)) continue;
      auto [it, inserted] = first.emplace(rewrite->table, std::make_pair(i, rewrite->what));
      if (inserted) continue;
      std::string size;
      if (file.workload != nullptr) {
        auto t = file.workload->tables.find(rewrite->table);
        if (t != file.workload->tables.end()) size = " (" + FormatBytes(t->second.size_bytes) + ")";
      }
      Finding f = At(st,
                     rewrite->what + " rewrites " + rewrite->table + size + " again: line " +
                         std::to_string(file.statements[it->second.first].location.line) + " (" + it->second.second +
                         ") rewrote it already, each time under ACCESS EXCLUSIVE with every index rebuilt",
                     "make both changes in one ALTER TABLE (comma-separated actions): the table is rewritten once");
      f.key_extra += "|" + rewrite->table;
      sink.Report(std::move(f));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(RewritesTableTwice)

}  // namespace pgsift::migration
