// index-unused: an index no scan used since the statistics were reset.
#include "pgsift/format.h"
#include "pgsift/index_usage.h"
#include "pgsift/indexes.h"

namespace pgsift {

namespace {

class IndexUnused : public IndexRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"index-unused",
                                {},
                                "an index no query used since the statistics were reset (live database only)",
                                Severity::kInfo,
                                RuleInput::kSchema,
                                "rules/index/unused.md"};
    return kInfo;
  }

  void Check(const AdvisorResult& /*result*/, const Schema& schema, const IndexContext& /*context*/,
             FindingSink& sink) const override {
    for (const auto& [key, t] : schema.tables) {
      bool known = !t.indexes.empty() && t.indexes.front().idx_scan >= 0;
      if (!known) continue;  // offline: no statistics, nothing to say
      for (const ReportIndex& x : UnusedIndexes(IndexStatsOf(t), nullptr)) {
        Finding f;
        f.rule_id = Info().id;
        f.severity = Info().severity;
        f.message = "index " + x.name + " on " + t.QualifiedName() + " has not been scanned since the statistics reset";
        f.facts.emplace_back("size", FormatBytes(x.size_bytes));
        if (t.n_tup_ins >= 0) {
          f.facts.emplace_back("table writes", std::to_string(t.n_tup_ins + t.n_tup_upd + t.n_tup_del) +
                                                   " rows written, each one entry in this index too");
        }
        f.help =
            "check every server (replicas keep their own statistics) and a full business cycle (month-end jobs) "
            "before dropping it";
        f.fix = "DROP INDEX CONCURRENTLY " + t.schema + "." + x.name + ";";
        f.key_extra = t.QualifiedName() + "." + x.name;
        sink.Report(std::move(f));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeIndexUnusedRule() { return std::make_unique<IndexUnused>(); }

}  // namespace pgsift
