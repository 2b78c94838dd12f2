// index-duplicate: two indexes with the same definition on one table, or a
// plain index whose columns lead another index (prefix-redundant).
#include <set>

#include "pgsift/index_usage.h"
#include "pgsift/indexes.h"

namespace pgsift {

namespace {

std::string Columns(const std::vector<std::string>& cols) {
  std::string out;
  for (const std::string& c : cols) out += (out.empty() ? "" : ", ") + c;
  return out;
}

// Operator classes of a's key columns equal b's leading ones ("" default).
bool SameOpclasses(const SchemaIndex& a, const SchemaIndex& b) {
  for (size_t i = 0; i < a.columns.size(); ++i) {
    std::string x = i < a.opclasses.size() ? a.opclasses[i] : "", y = i < b.opclasses.size() ? b.opclasses[i] : "";
    if (x != y) return false;
  }
  return true;
}

bool Plain(const SchemaIndex& i) { return i.valid && !i.partial && i.method == "btree"; }

class IndexDuplicate : public IndexRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"index-duplicate",
                                {},
                                "an index repeats another one, or its columns lead another index",
                                Severity::kWarning,
                                RuleInput::kSchema,
                                "rules/index/duplicate.md"};
    return kInfo;
  }

  void Check(const AdvisorResult& /*result*/, const Schema& schema, const IndexContext& /*context*/,
             FindingSink& sink) const override {
    for (const auto& [key, t] : schema.tables) {
      // Same definition: the grouping the weekly report uses.
      std::vector<IndexStats> stats = IndexStatsOf(t);
      std::set<std::string> reported;
      const SchemaTable& table = t;  // clang 14 cannot capture a structured binding
      auto constraint = [&table](const std::string& name) {
        for (const SchemaIndex& i : table.indexes) {
          if (i.name == name) return i.constraint || i.primary;
        }
        return false;
      };
      for (const std::vector<ReportIndex>& group : DuplicateIndexGroups(stats)) {
        // Keep the primary key, else a constraint's index: it cannot simply go.
        size_t keep = 0;
        int best = 0;
        for (size_t k = 0; k < group.size(); ++k) {
          int rank = 0;
          for (const SchemaIndex& i : t.indexes) {
            if (i.name == group[k].name) rank = i.primary ? 2 : constraint(i.name) ? 1 : 0;
          }
          if (rank > best) {
            best = rank;
            keep = k;
          }
        }
        for (size_t k = 0; k < group.size(); ++k) {
          if (k == keep) continue;
          const std::string& name = group[k].name;
          if (group[k].unique && constraint(name)) {
            // Two constraints enforcing the same uniqueness.
            Report(sink, t, name,
                   "constraint " + name + " on " + t.QualifiedName() + " enforces the same uniqueness as " +
                       group[keep].name,
                   "two unique constraints on the same columns: every write checks and updates both indexes",
                   "ALTER TABLE " + t.schema + "." + t.name + " DROP CONSTRAINT " + name + ";");
          } else {
            Report(sink, t, name,
                   std::string(group[k].unique ? "unique index " : "index ") + name + " on " + t.QualifiedName() +
                       " repeats " + group[keep].name,
                   group[k].unique ? "the same uniqueness twice: every write checks and updates both indexes"
                                   : "same columns, method and uniqueness: every write updates both, queries use one");
          }
          reported.insert(name);
        }
      }
      for (const SchemaIndex& a : t.indexes) {
        if (!Plain(a) || a.unique || reported.count(a.name)) continue;
        for (const SchemaIndex& b : t.indexes) {
          if (&a == &b || !Plain(b) || b.columns.size() <= a.columns.size() ||
              !std::equal(a.columns.begin(), a.columns.end(), b.columns.begin()) || !SameOpclasses(a, b)) {
            continue;
          }
          Report(sink, t, a.name,
                 "index " + a.name + " on " + t.QualifiedName() + " (" + Columns(a.columns) + ") is a prefix of " +
                     b.name + " (" + Columns(b.columns) + ")",
                 "a lookup on the leading columns can use " + b.name + " (a little larger per entry)");
          break;
        }
      }
    }
  }

 private:
  void Report(FindingSink& sink, const SchemaTable& t, const std::string& name, std::string message, std::string why,
              std::string fix = "") const {
    Finding f;
    f.rule_id = Info().id;
    f.severity = Info().severity;
    f.message = std::move(message);
    f.facts.emplace_back("why", std::move(why));
    for (const SchemaIndex& i : t.indexes) {
      if (i.name != name || i.idx_scan < 0) continue;
      f.facts.emplace_back("index scans", std::to_string(i.idx_scan) + " since statistics reset");
    }
    f.help = "drop the redundant index after checking no query hints it by name";
    f.fix = fix.empty() ? "DROP INDEX CONCURRENTLY " + t.schema + "." + name + ";" : std::move(fix);
    f.key_extra = t.QualifiedName() + "." + name;
    sink.Report(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Rule> MakeIndexDuplicateRule() { return std::make_unique<IndexDuplicate>(); }

}  // namespace pgsift
