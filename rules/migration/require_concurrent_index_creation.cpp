// migration-require-concurrent-index-creation: CREATE INDEX without CONCURRENTLY blocks writes to an existing table.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class RequireConcurrentIndexCreation : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-require-concurrent-index-creation",
                                {"require-concurrent-index-creation"},
                                "CREATE INDEX without CONCURRENTLY blocks writes to an existing table",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/require_concurrent_index_creation.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      if (st.kind != "IndexStmt" || Bool(st.Node(), "concurrent")) continue;
      std::string table = RelName(Member(st.Node(), "relation"));
      if (file.CreatedBefore(table, i)) continue;  // a new table has no traffic yet
      sink.Report(At(st,
                     "CREATE INDEX on " + QualifiedName(Member(st.Node(), "relation")) +
                         " without CONCURRENTLY blocks writes to the table while the index builds",
                     "use CREATE INDEX CONCURRENTLY, outside a transaction"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(RequireConcurrentIndexCreation)

}  // namespace pgsift::migration
