// migration-require-concurrent-partition-detach: DETACH PARTITION without CONCURRENTLY locks the parent table.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class RequireConcurrentPartitionDetach : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-require-concurrent-partition-detach",
                                {"require-concurrent-partition-detach"},
                                "DETACH PARTITION without CONCURRENTLY locks the parent table",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/require_concurrent_partition_detach.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    if (file.pg_version < 14) return;  // CONCURRENTLY arrived in PostgreSQL 14
    for (const MigrationStatement& st : file.statements) {
      for (const Json* cmd : AlterCmds(st)) {
        if (Str(*cmd, "subtype") != "AT_DetachPartition") continue;
        const Json& pc = Member(Member(*cmd, "def"), "PartitionCmd");
        if (Bool(pc, "concurrent")) continue;
        sink.Report(At(st,
                       "DETACH PARTITION " + QualifiedName(Member(pc, "name")) +
                           " without CONCURRENTLY takes an "
                           "ACCESS EXCLUSIVE lock on " +
                           QualifiedName(Member(st.Node(), "relation")),
                       "use DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+), outside a transaction"));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(RequireConcurrentPartitionDetach)

}  // namespace pgsift::migration
