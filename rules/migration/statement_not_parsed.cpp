// migration-statement-not-parsed: A statement for a newer PostgreSQL than pgsift's parser reads, not linted.
#include "migration/util.h"

namespace pgsift::migration {

namespace {

class StatementNotParsed : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-statement-not-parsed",
                                {},
                                "A statement for a newer PostgreSQL than pgsift's parser reads, not linted",
                                Severity::kWarning,
                                RuleInput::kMigration,
                                "rules/migration/statement_not_parsed.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationFile::Unparsed& u : file.unparsed) {
      if (u.error.rfind("DO body: ", 0) == 0) {
        sink.Report(At(u.statement,
                       "the statements of this DO block are not linted: pgsift cannot read its PL/pgSQL body "
                       "without the database's catalog (" +
                           u.error.substr(9) + ")",
                       "review the DDL inside the block by hand (locks, lock_timeout)"));
        continue;
      }
      sink.Report(At(u.statement,
                     "not linted: pgsift parses with PostgreSQL " + std::to_string(sql::kParserMajorVersion) +
                         "'s grammar, which cannot read this statement (" + u.error + "); it may be PostgreSQL " +
                         std::to_string(file.pg_version) + " syntax",
                     "review this statement's locks by hand; the statements around it are linted (a table it "
                     "creates counts as new)"));
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(StatementNotParsed)

}  // namespace pgsift::migration
