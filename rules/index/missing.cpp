// index-missing: queries filter or sort on columns no index serves.
#include <algorithm>

#include "pgsift/indexes.h"

namespace pgsift {

namespace {

class IndexMissing : public IndexRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"index-missing",
                                {},
                                "queries filter, join or sort on columns no index serves",
                                Severity::kWarning,
                                RuleInput::kSchema,
                                "rules/index/missing.md"};
    return kInfo;
  }

  Status Configure(const RuleOptions& options) override {
    Result<double> saving = options.GetDouble("min_saving", 0.5);
    if (!saving.ok()) return Err(saving.error());
    if (*saving < 0 || *saving > 1) return Err("min_saving must be between 0 and 1");
    min_saving_ = *saving;
    return Ok{};
  }

  void Check(const AdvisorResult& result, const Schema& schema, const IndexContext& context,
             FindingSink& sink) const override {
    for (const IndexCandidate& c : result.candidates) {
      if (!c.foreign_key.empty()) continue;  // index-foreign-key-unindexed reports it
      if (c.queries.empty()) continue;
      if (context.proof_ran && c.LikePrefix()) {
        // Not provable with a generic plan: the logged plans must show a
        // Seq Scan whose filter threw most rows away.
        if (c.plan_removed < min_saving_) continue;
      } else if (context.proof_ran && (!c.proven || c.saving < min_saving_)) {
        continue;
      }
      Finding f;
      f.rule_id = Info().id;
      f.severity = Info().severity;
      std::string cols;
      for (size_t i = 0; i < c.columns.size(); ++i) {
        cols += (i ? ", " : "") + c.columns[i] + " (" + c.kinds[i] + ")";
      }
      f.message = "no index on " + c.schema + "." + c.table + " serves " + std::to_string(c.queries.size()) +
                  (c.queries.size() == 1 ? " query" : " queries") + " filtering on " + cols;
      f.fingerprint = c.queries.front().fingerprint;
      AddQueryFacts(c.queries, &f);
      if (context.proof_ran && c.LikePrefix()) {
        f.facts.emplace_back("saving", "not provable with HypoPG (LIKE pattern is a parameter); the plans show it");
      } else if (context.proof_ran) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.1f%% of the plan cost (threshold %.0f%%)", c.saving * 100, min_saving_ * 100);
        f.facts.emplace_back("saving", buf);
      } else {
        f.facts.emplace_back("proof", "not proven (" + context.no_proof + ")");
        // Without a proof the logged plans decide how sure the finding is.
        if (c.PlanCounterEvidence(min_saving_)) {
          f.severity = Severity::kInfo;
          f.facts.emplace_back("plan verdict", c.plan_removed >= 0
                                                   ? "weak: the Seq Scans' filters kept most rows, an index would "
                                                     "skip few of them"
                                                   : "weak: the logged plans already read the table through an index");
        } else if (c.plan_removed >= 0) {
          f.facts.emplace_back("plan verdict", "strong: the Seq Scans' filters threw most rows away");
        }
      }
      AddTableFacts(schema.Find(c.schema, c.table), &f, schema.stats_seconds);
      if (c.LikePrefix()) {
        f.facts.emplace_back(
            "operator class",
            std::find(c.opclasses.begin(), c.opclasses.end(), "text_pattern_ops") != c.opclasses.end()
                ? (schema.collation.empty()
                       ? std::string(
                             "text_pattern_ops: the collation is unknown offline, and under any collation but C "
                             "a plain btree cannot serve LIKE 'prefix%'")
                       : "text_pattern_ops: the database collation " + schema.collation +
                             " is not C, so a plain btree cannot serve LIKE 'prefix%'")
                : "default: the database collation " + schema.collation + " sorts bytewise, LIKE 'prefix%' uses it");
      }
      f.help = "create the index (CONCURRENTLY: writes go on while it builds), outside a transaction";
      f.fix = c.Statement();
      f.key_extra = c.Key();
      sink.Report(std::move(f));
    }
  }

 private:
  double min_saving_ = 0.5;
};

}  // namespace

std::unique_ptr<Rule> MakeIndexMissingRule() { return std::make_unique<IndexMissing>(); }

}  // namespace pgsift
