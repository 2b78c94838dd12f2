// Every rule, one line each. Adding a rule: its .cpp and .md in
// rules/<category>/, fixtures in fixtures/rules/<id>/, and a line here.
#include "pgsift/rule.h"

namespace pgsift {

// Factories defined in rules/<category>/<name>.cpp.
std::unique_ptr<Rule> MakeNPlusOneRule();
std::unique_ptr<Rule> MakeRepeatedIdenticalQueryRule();
std::unique_ptr<Rule> MakeNPlusOneSuspectRule();
std::unique_ptr<Rule> MakeIndexMissingRule();
std::unique_ptr<Rule> MakeForeignKeyUnindexedRule();
std::unique_ptr<Rule> MakeIndexDuplicateRule();
std::unique_ptr<Rule> MakeIndexUnusedRule();
std::unique_ptr<Rule> MakeIndexInvalidRule();

namespace migration {
std::unique_ptr<Rule> MakeRequireConcurrentIndexCreation();
std::unique_ptr<Rule> MakeRequireConcurrentIndexDeletion();
std::unique_ptr<Rule> MakeBanConcurrentIndexCreationInTransaction();
std::unique_ptr<Rule> MakeAddingFieldWithDefault();
std::unique_ptr<Rule> MakeChangingColumnType();
std::unique_ptr<Rule> MakeAddingNotNullableField();
std::unique_ptr<Rule> MakeAddingRequiredField();
std::unique_ptr<Rule> MakeAddingSerialPrimaryKeyField();
std::unique_ptr<Rule> MakeAddingForeignKeyConstraint();
std::unique_ptr<Rule> MakeConstraintMissingNotValid();
std::unique_ptr<Rule> MakeDisallowedUniqueConstraint();
std::unique_ptr<Rule> MakeBanDropColumn();
std::unique_ptr<Rule> MakeBanDropNotNull();
std::unique_ptr<Rule> MakeRenamingColumn();
std::unique_ptr<Rule> MakeRenamingTable();
std::unique_ptr<Rule> MakeBanDropTable();
std::unique_ptr<Rule> MakeBanDropDatabase();
std::unique_ptr<Rule> MakeBanTruncateCascade();
std::unique_ptr<Rule> MakeBanCharField();
std::unique_ptr<Rule> MakePreferBigintOverInt();
std::unique_ptr<Rule> MakePreferBigintOverSmallint();
std::unique_ptr<Rule> MakePreferIdentity();
std::unique_ptr<Rule> MakePreferTextField();
std::unique_ptr<Rule> MakePreferTimestamptz();
std::unique_ptr<Rule> MakeRequireLockTimeout();
std::unique_ptr<Rule> MakeRequireStatementTimeout();
std::unique_ptr<Rule> MakePreferRobustStmts();
std::unique_ptr<Rule> MakeTransactionNesting();
std::unique_ptr<Rule> MakeBanUncommittedTransaction();
std::unique_ptr<Rule> MakeIdentifierTooLong();
std::unique_ptr<Rule> MakeRequireConcurrentReindex();
std::unique_ptr<Rule> MakeRequireConcurrentPartitionDetach();
std::unique_ptr<Rule> MakeUnusedIgnore();
std::unique_ptr<Rule> MakeLocksHotTable();
std::unique_ptr<Rule> MakeDropsUsedIndex();
std::unique_ptr<Rule> MakeRewritesLargeTable();
std::unique_ptr<Rule> MakeRequireEnumValueOrdering();
std::unique_ptr<Rule> MakeStatementNotParsed();
std::unique_ptr<Rule> MakeBackfillInDdlTransaction();
std::unique_ptr<Rule> MakeRewritesTableTwice();
}  // namespace migration

namespace plan {
std::unique_ptr<Rule> MakeIndexLost();
std::unique_ptr<Rule> MakeSeqScanNew();
std::unique_ptr<Rule> MakeJoinStrategyChanged();
std::unique_ptr<Rule> MakeShapeChanged();
std::unique_ptr<Rule> MakeCostRegression();
std::unique_ptr<Rule> MakeTimeRegression();
std::unique_ptr<Rule> MakeBuffersRegression();
std::unique_ptr<Rule> MakeQueryBroken();
std::unique_ptr<Rule> MakeQueryRefused();
}  // namespace plan

const std::vector<RuleFactory>& RuleRegistry() {
  static const std::vector<RuleFactory> kRules = {
      MakeNPlusOneRule,
      MakeRepeatedIdenticalQueryRule,
      MakeNPlusOneSuspectRule,
      MakeIndexMissingRule,
      MakeForeignKeyUnindexedRule,
      MakeIndexDuplicateRule,
      MakeIndexUnusedRule,
      MakeIndexInvalidRule,
      migration::MakeRequireConcurrentIndexCreation,
      migration::MakeRequireConcurrentIndexDeletion,
      migration::MakeBanConcurrentIndexCreationInTransaction,
      migration::MakeAddingFieldWithDefault,
      migration::MakeChangingColumnType,
      migration::MakeAddingNotNullableField,
      migration::MakeAddingRequiredField,
      migration::MakeAddingSerialPrimaryKeyField,
      migration::MakeAddingForeignKeyConstraint,
      migration::MakeConstraintMissingNotValid,
      migration::MakeDisallowedUniqueConstraint,
      migration::MakeBanDropColumn,
      migration::MakeBanDropNotNull,
      migration::MakeRenamingColumn,
      migration::MakeRenamingTable,
      migration::MakeBanDropTable,
      migration::MakeBanDropDatabase,
      migration::MakeBanTruncateCascade,
      migration::MakeBanCharField,
      migration::MakePreferBigintOverInt,
      migration::MakePreferBigintOverSmallint,
      migration::MakePreferIdentity,
      migration::MakePreferTextField,
      migration::MakePreferTimestamptz,
      migration::MakeRequireLockTimeout,
      migration::MakeRequireStatementTimeout,
      migration::MakePreferRobustStmts,
      migration::MakeTransactionNesting,
      migration::MakeBanUncommittedTransaction,
      migration::MakeIdentifierTooLong,
      migration::MakeRequireConcurrentReindex,
      migration::MakeRequireConcurrentPartitionDetach,
      migration::MakeUnusedIgnore,
      migration::MakeLocksHotTable,
      migration::MakeDropsUsedIndex,
      migration::MakeRewritesLargeTable,
      migration::MakeRequireEnumValueOrdering,
      migration::MakeStatementNotParsed,
      migration::MakeBackfillInDdlTransaction,
      migration::MakeRewritesTableTwice,
      plan::MakeIndexLost,
      plan::MakeSeqScanNew,
      plan::MakeJoinStrategyChanged,
      plan::MakeShapeChanged,
      plan::MakeCostRegression,
      plan::MakeTimeRegression,
      plan::MakeBuffersRegression,
      plan::MakeQueryBroken,
      plan::MakeQueryRefused,
  };
  return kRules;
}

}  // namespace pgsift
