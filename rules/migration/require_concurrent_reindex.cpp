// migration-require-concurrent-reindex: REINDEX without CONCURRENTLY blocks writes (and reads using the index).
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class RequireConcurrentReindex : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-require-concurrent-reindex",
                                {"require-concurrent-reindex"},
                                "REINDEX without CONCURRENTLY blocks writes (and reads using the index)",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/require_concurrent_reindex.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationStatement& st : file.statements) {
      if (st.kind != "ReindexStmt") continue;
      bool concurrent = false;
      for (const Json& p : Member(st.Node(), "params")) {
        if (Str(Member(p, "DefElem"), "defname") == "concurrently") concurrent = true;
      }
      if (concurrent) continue;
      sink.Report(At(st, "REINDEX without CONCURRENTLY locks out writes, and reads that use the index",
                     file.pg_version >= 12
                         ? "use REINDEX ... CONCURRENTLY, outside a transaction"
                         : "before PostgreSQL 12: CREATE INDEX CONCURRENTLY a copy, then drop the old "
                           "index CONCURRENTLY"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(RequireConcurrentReindex)

}  // namespace pgsift::migration
