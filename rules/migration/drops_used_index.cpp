// migration-drops-used-index: DROP INDEX (or DROP CONSTRAINT of a primary
// key or unique constraint) of an index whose leading column the observed
// workload filters, joins or sorts on in the same table. The index's columns
// come from --schema files or earlier migrations; the queries from
// --workload (a pgsift analyze JSON, normalized texts only).
#include <algorithm>
#include <cstdio>

#include "migration/util.h"
#include "pgsift/fingerprint.h"

namespace pgsift::migration {

namespace {

class DropsUsedIndex : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-drops-used-index",
                                {},
                                "Dropping an index that queries of the observed workload can use",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/drops_used_index.md"};
    return kInfo;
  }
  Status Configure(const RuleOptions& options) override {
    auto calls = options.GetInt("min_calls", 20);
    if (!calls.ok()) return Err(calls.error());
    min_calls_ = *calls;
    return Ok{};
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    if (file.workload == nullptr || file.indexes == nullptr) return;
    for (const MigrationStatement& st : file.statements) {
      for (const QualifiedTable& index : DroppedIndexes(st)) {
        // By schema: DROP INDEX archive.x is not public.x.
        auto def = file.indexes->find(RelationKey(index.schema, index.table));
        if (def == file.indexes->end() || def->second.columns.empty()) continue;
        Report(file, st, index.table, def->second, sink);
      }
    }
  }

 private:
  // The dropped indexes (schema as written, name in `table`).
  static std::vector<QualifiedTable> DroppedIndexes(const MigrationStatement& st) {
    std::vector<QualifiedTable> out;
    if (st.kind == "DropStmt" && Str(st.Node(), "removeType") == "OBJECT_INDEX") {
      for (const Json& obj : Member(st.Node(), "objects")) {
        QualifiedTable name = ObjectName(obj);
        if (!name.table.empty()) out.push_back(name);
      }
    }
    for (const Json* cmd : AlterCmds(st)) {  // a constraint's index is in its table's schema
      if (Str(*cmd, "subtype") == "AT_DropConstraint") {
        out.push_back({SchemaName(Member(st.Node(), "relation")), Str(*cmd, "name")});
      }
    }
    return out;
  }

  void Report(const MigrationFile& file, const MigrationStatement& st, const std::string& name, const IndexDef& def,
              FindingSink& sink) const {
    const LintWorkload& w = *file.workload;
    auto it = w.queries_by_table.find(RelationKey(def.schema, def.table));
    if (it == w.queries_by_table.end()) return;
    std::vector<const WorkloadQuery*> users;
    uint64_t calls = 0;
    for (size_t q : it->second) {
      const WorkloadQuery& query = w.queries[q];
      if (!query.predicate_columns.count(def.columns.front())) continue;
      users.push_back(&query);
      calls += query.calls;
    }
    if (users.empty() || static_cast<int64_t>(calls) < min_calls_) return;
    std::sort(users.begin(), users.end(), [](const WorkloadQuery* a, const WorkloadQuery* b) {
      return a->calls != b->calls ? a->calls > b->calls : a->fingerprint < b->fingerprint;
    });
    std::string cols;
    for (const std::string& c : def.columns) cols += (cols.empty() ? "" : ", ") + c;
    Finding f = At(st,
                   "dropping index " + name + " on " + def.table + " (" + cols + "): " + std::to_string(users.size()) +
                       " observed query shapes (" + std::to_string(calls) + " calls) filter, join or sort on " +
                       def.columns.front() + " and may lose their index path",
                   "check their plans with EXPLAIN first; create the replacement index CONCURRENTLY before "
                   "dropping this one");
    f.key_extra += "|" + name;
    for (size_t k = 0; k < users.size() && k < 3; ++k) {
      std::string text = users[k]->normalized;
      std::replace(text.begin(), text.end(), '\n', ' ');
      if (text.size() > 100) text = text.substr(0, 97) + "...";
      f.facts.push_back(
          {"query " + FingerprintHex(users[k]->fingerprint), std::to_string(users[k]->calls) + " calls  " + text});
    }
    sink.Report(std::move(f));
  }

  int64_t min_calls_ = 20;
};

}  // namespace

PGSIFT_MIGRATION_RULE(DropsUsedIndex)

}  // namespace pgsift::migration
