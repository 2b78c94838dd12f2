// index-foreign-key-unindexed: a foreign key whose columns lead no index.
#include "pgsift/indexes.h"

namespace pgsift {

namespace {

class ForeignKeyUnindexed : public IndexRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"index-foreign-key-unindexed",
                                {},
                                "a foreign key's columns lead no index: joins and parent deletes scan the table",
                                Severity::kWarning,
                                RuleInput::kSchema,
                                "rules/index/foreign_key_unindexed.md"};
    return kInfo;
  }

  void Check(const AdvisorResult& result, const Schema& schema, const IndexContext& /*context*/,
             FindingSink& sink) const override {
    for (const UnindexedForeignKey& u : result.unindexed_fks) {
      Finding f;
      f.rule_id = Info().id;
      f.severity = Info().severity;
      std::string cols;
      for (const std::string& c : u.fk.columns) cols += (cols.empty() ? "" : ", ") + c;
      f.message = "foreign key " + u.fk.name + " on " + u.schema + "." + u.table + " (" + cols + ") -> " +
                  u.fk.ref_table + " has no index";
      IndexCandidate c;
      c.schema = u.schema;
      c.table = u.table;
      c.columns = u.fk.columns;
      // The advisor's candidate for the same columns carries the proof.
      std::vector<CandidateQuery> queries = u.queries;
      for (const IndexCandidate& cand : result.candidates) {
        if (cand.foreign_key == u.fk.name && cand.schema == u.schema && cand.table == u.table) {
          c.columns = cand.columns;
          queries = cand.queries;
          break;
        }
      }
      if (!queries.empty()) f.fingerprint = queries.front().fingerprint;
      AddQueryFacts(queries, &f);
      if (queries.empty())
        f.facts.emplace_back("queries helped",
                             "none in the logs (deletes of " + u.fk.ref_table + " rows still scan it)");
      AddTableFacts(schema.Find(u.schema, u.table), &f, schema.stats_seconds);
      f.help = "index the foreign key columns: each DELETE or key UPDATE on " + u.fk.ref_table +
               " otherwise scans the whole table, and joins on it cannot use a nested loop with an index";
      f.fix = c.Statement();
      f.key_extra = u.schema + "." + u.table + "." + u.fk.name;
      sink.Report(std::move(f));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeForeignKeyUnindexedRule() { return std::make_unique<ForeignKeyUnindexed>(); }

}  // namespace pgsift
