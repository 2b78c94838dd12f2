// index-invalid: an index a failed CREATE INDEX CONCURRENTLY or REINDEX
// CONCURRENTLY left behind (pg_index.indisvalid = false).
#include "pgsift/indexes.h"

namespace pgsift {

namespace {

class IndexInvalid : public IndexRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"index-invalid",
                                {},
                                "an invalid index (a failed concurrent build): written on every change, never read",
                                Severity::kError,
                                RuleInput::kSchema,
                                "rules/index/invalid.md"};
    return kInfo;
  }

  void Check(const AdvisorResult& /*result*/, const Schema& schema, const IndexContext& /*context*/,
             FindingSink& sink) const override {
    for (const auto& [key, t] : schema.tables) {
      for (const SchemaIndex& i : t.indexes) {
        if (i.valid) continue;
        Finding f;
        f.rule_id = Info().id;
        f.severity = Info().severity;
        f.message = "index " + i.name + " on " + t.QualifiedName() + " is invalid (pg_index.indisvalid = false)";
        std::string cols;
        for (const std::string& c : i.columns) cols += (cols.empty() ? "" : ", ") + c;
        f.facts.emplace_back("columns", cols);
        f.help =
            "a CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY failed (often a uniqueness violation or a "
            "timeout): writes still maintain it, no query can use it, and a unique one still rejects rows; drop it "
            "and build it again once the cause is fixed";
        f.fix = "DROP INDEX CONCURRENTLY " + t.schema + "." + i.name + ";";
        f.key_extra = t.QualifiedName() + "." + i.name;
        sink.Report(std::move(f));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeIndexInvalidRule() { return std::make_unique<IndexInvalid>(); }

}  // namespace pgsift
