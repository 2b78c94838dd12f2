// Candidate indexes from the workload's predicates. Per query and table:
// the filter columns (equality-like first, sorted by name so that queries
// filtering the same set share one candidate, then one range column or the
// ORDER BY columns), and each join column alone (the inner side of a nested
// loop). A candidate an existing index already serves is dropped (PgHero
// issue #64); a candidate that is a prefix of another is merged into it.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "pgsift/indexes.h"
#include "pgsift/shape_key.h"

namespace pgsift {

namespace {

bool PatternOpclass(const std::string& opclass) {
  return opclass == "text_pattern_ops" || opclass == "varchar_pattern_ops" || opclass == "bpchar_pattern_ops";
}

// Whether a LIKE 'prefix%' can use a btree with the default operator class:
// only when the collation sorts bytewise.
bool CollationIsC(const std::string& collation) { return collation == "C" || collation == "POSIX"; }

// Whether `index` already serves a lookup on `columns` whose first
// `equality` columns are equality-like, for a query that uses `used`.
bool Serves(const SchemaIndex& index, std::vector<std::string> columns, size_t equality,
            const std::set<std::string>& used, const std::string& like_column, bool c_collation) {
  if (!index.valid || (index.method != "btree" && index.method != "hash")) return false;
  if (!like_column.empty()) {
    // The LIKE column is served where the index has it with a pattern
    // operator class (or the default one under the C collation); an index
    // whose key holds it otherwise stops its usable prefix there.
    auto it = std::find(index.columns.begin(), index.columns.end(), like_column);
    if (it != index.columns.end()) {
      size_t pos = static_cast<size_t>(it - index.columns.begin());
      std::string opclass = pos < index.opclasses.size() ? index.opclasses[pos] : "";
      bool usable = index.method == "btree" && (PatternOpclass(opclass) || (opclass.empty() && c_collation));
      if (!usable) return false;
    }
  }
  if (index.partial) {
    // The planner uses a partial index when the query repeats its predicate;
    // the columns the predicate fixes need no place in the key.
    for (const std::string& c : index.predicate_columns) {
      if (!used.count(c)) return false;
    }
    for (const std::string& c : index.predicate_columns) {
      auto it = std::find(columns.begin(), columns.end(), c);
      if (it == columns.end()) continue;
      if (static_cast<size_t>(it - columns.begin()) < equality) --equality;
      columns.erase(it);
    }
    if (columns.empty()) return true;
  }
  if (index.method == "hash") return columns.size() == 1 && index.columns.front() == columns.front();
  if (equality > 0) {
    if (index.columns.size() < equality) return false;
    std::set<std::string> want(columns.begin(), columns.begin() + static_cast<ptrdiff_t>(equality));
    std::set<std::string> have(index.columns.begin(), index.columns.begin() + static_cast<ptrdiff_t>(equality));
    return want == have;
  }
  return !index.columns.empty() && index.columns.front() == columns.front();
}

struct Draft {
  std::string table_key;
  std::vector<std::string> columns;
  std::vector<std::string> kinds;
  size_t equality = 0;
  std::set<std::string> used;  // every column the query uses on the table
};

std::vector<Draft> DraftsFor(const std::string& table_key, const std::vector<const ColumnUse*>& uses,
                             const AdvisorOptions& options, bool like_prefix, bool limit) {
  std::vector<Draft> out;
  std::set<std::string> used;
  for (const ColumnUse* u : uses) used.insert(u->column);
  std::set<std::string> eq;
  std::vector<std::string> range, sort, group, joins, likes;
  for (const ColumnUse* u : uses) {
    if (u->op == ColumnOp::kJoin) {
      if (std::find(joins.begin(), joins.end(), u->column) == joins.end()) joins.push_back(u->column);
    } else if (IsEqualityLike(u->op)) {
      eq.insert(u->column);
    } else if (u->op == ColumnOp::kRange) {
      range.push_back(u->column);
    } else if (u->op == ColumnOp::kLike && like_prefix && !u->expression) {
      likes.push_back(u->column);  // a fixed prefix is a range on a btree
    } else if (u->op == ColumnOp::kSort) {
      sort.push_back(u->column);
    } else if (u->op == ColumnOp::kGroup) {
      group.push_back(u->column);
    }
  }
  Draft d{table_key, {}, {}, 0, used};
  for (const std::string& c : eq) {
    d.columns.push_back(c);
    d.kinds.push_back("equality");
  }
  d.equality = d.columns.size();
  auto add_tail = [&](const std::vector<std::string>& cols, const char* kind, bool all) {
    for (const std::string& c : cols) {
      if (eq.count(c) || std::find(d.columns.begin(), d.columns.end(), c) != d.columns.end()) continue;
      d.columns.push_back(c);
      d.kinds.push_back(kind);
      if (!all) break;
    }
  };
  // After the equality columns: one range (or LIKE prefix) column, else the
  // ORDER BY columns (a LIMIT reads the first rows in index order), else
  // the GROUP BY columns (a sorted group needs no sort).
  if (!range.empty()) {
    add_tail(range, "range", false);
  } else if (!likes.empty()) {
    add_tail(likes, "like-prefix", false);
  } else if (!sort.empty() && (!d.columns.empty() || limit)) {
    // ORDER BY alone helps only with a LIMIT: the whole table in index
    // order costs more than reading and sorting it.
    add_tail(sort, "sort", true);
  } else if (!group.empty()) {
    add_tail(group, "group", true);
  }
  if (d.columns.size() > options.max_columns) {
    d.columns.resize(options.max_columns);
    d.kinds.resize(options.max_columns);
    d.equality = std::min(d.equality, options.max_columns);
  }
  if (!d.columns.empty()) out.push_back(d);
  for (const std::string& j : joins) {
    if (eq.count(j)) continue;
    out.push_back(Draft{table_key, {j}, {"equality"}, 1, used});
  }
  return out;
}

bool IsPrefix(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a.size() < b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

static std::vector<std::string> KeyColumns(const IndexCandidate& c) {
  std::vector<std::string> out;
  for (size_t i = 0; i < c.columns.size(); ++i) out.push_back(KeyColumn(c, i, false));
  return out;
}

// The evidence the plans of `q` hold about `table`.
static TableScanEvidence EvidenceFor(const PlanEvidenceMap* plans, uint64_t fingerprint, const std::string& table) {
  if (plans == nullptr) return {};
  auto it = plans->find(fingerprint);
  if (it == plans->end()) return {};
  auto t = it->second.tables.find(table);
  return t == it->second.tables.end() ? TableScanEvidence{} : t->second;
}

// Sums the queries' evidence into the candidate's verdict.
static void SetPlanVerdict(IndexCandidate* c) {
  TableScanEvidence all;
  for (const CandidateQuery& q : c->queries) all.Merge(q.evidence);
  c->plan_removed = all.RemovedFraction();
  c->plan_index_only = all.plans > 0 && all.seq_scans == 0 && all.index_scans > 0;
}

AdvisorResult AdviseIndexes(const Workload& workload, const Schema& schema, const AdvisorOptions& options,
                            const PlanEvidenceMap* plans) {
  AdvisorResult result;
  std::map<std::string, IndexCandidate> candidates;               // by Key()
  std::map<std::string, std::vector<CandidateQuery>> fk_queries;  // table key + fk name
  ColumnLookup lookup = schema.Lookup();
  const bool c_collation = CollationIsC(schema.collation);
  std::vector<const QueryStats*> queries;
  for (const auto& [fp, q] : workload.queries) queries.push_back(&q);
  std::sort(queries.begin(), queries.end(),
            [](const QueryStats* a, const QueryStats* b) { return a->fingerprint < b->fingerprint; });
  for (const QueryStats* q : queries) {
    ++result.queries_seen;
    QueryPredicates p = ExtractPredicates(q->normalized, lookup);
    if (!p.ok) {
      ++result.queries_unparsed;
      continue;
    }
    CandidateQuery cq;
    cq.fingerprint = q->fingerprint;
    cq.normalized = sql::DisplayText(q->normalized);
    cq.calls = q->calls;
    cq.total_ms = q->total_ms();
    cq.plans = q->plans;
    std::map<std::string, std::vector<const ColumnUse*>> by_table;
    for (const ColumnUse& u : p.uses) {
      const SchemaTable* t = schema.Find(u.schema, u.table);
      if (t == nullptr) continue;
      std::string base = u.column;
      if (u.expression) base = base.substr(base.rfind('(') + 1, base.find(')') - base.rfind('(') - 1);
      if (!t->HasColumn(base)) continue;
      by_table[t->QualifiedName()].push_back(&u);
    }
    if (!by_table.empty()) ++result.queries_on_known_tables;
    for (const auto& [key, uses] : by_table) {
      const SchemaTable& t = schema.tables.at(key);
      bool like_prefix = false;
      if (plans != nullptr) {
        auto e = plans->find(cq.fingerprint);
        like_prefix = e != plans->end() && e->second.LikePrefix();
      }
      for (const Draft& d : DraftsFor(key, uses, options, like_prefix, p.limit)) {
        std::string like_column;
        for (size_t i = 0; i < d.kinds.size(); ++i) {
          if (d.kinds[i] == "like-prefix") like_column = d.columns[i];
        }
        bool served = std::any_of(t.indexes.begin(), t.indexes.end(), [&](const SchemaIndex& i) {
          return Serves(i, d.columns, d.equality, d.used, like_column, c_collation);
        });
        CandidateQuery with = cq;
        with.evidence = EvidenceFor(plans, cq.fingerprint, t.name);
        for (const ForeignKey& fk : t.foreign_keys) {
          if (std::find(fk.columns.begin(), fk.columns.end(), d.columns.front()) != fk.columns.end()) {
            fk_queries[key + "\n" + fk.name].push_back(with);
          }
        }
        if (served) continue;
        IndexCandidate c;
        c.schema = t.schema;
        c.table = t.name;
        c.columns = d.columns;
        c.kinds = d.kinds;
        c.opclasses.assign(d.columns.size(), "");
        if (!like_column.empty() && !c_collation) {
          c.opclasses[static_cast<size_t>(std::find(d.columns.begin(), d.columns.end(), like_column) -
                                          d.columns.begin())] = "text_pattern_ops";
        }
        IndexCandidate& slot = candidates.try_emplace(c.Key(), c).first->second;
        if (std::none_of(slot.queries.begin(), slot.queries.end(),
                         [&](const CandidateQuery& x) { return x.fingerprint == cq.fingerprint; })) {
          slot.queries.push_back(with);
        }
      }
    }
  }
  // A candidate that is a prefix of another gives its queries to the longer
  // one (which serves them too) and is dropped.
  for (auto it = candidates.begin(); it != candidates.end();) {
    IndexCandidate* longer = nullptr;
    for (auto& [k, other] : candidates) {
      if (other.schema == it->second.schema && other.table == it->second.table &&
          IsPrefix(KeyColumns(it->second), KeyColumns(other))) {
        longer = &other;
        break;
      }
    }
    if (longer == nullptr) {
      ++it;
      continue;
    }
    for (const CandidateQuery& q : it->second.queries) {
      if (std::none_of(longer->queries.begin(), longer->queries.end(),
                       [&](const CandidateQuery& x) { return x.fingerprint == q.fingerprint; })) {
        longer->queries.push_back(q);
      }
    }
    it = candidates.erase(it);
  }
  auto by_time = [](const CandidateQuery& a, const CandidateQuery& b) {
    return a.total_ms != b.total_ms ? a.total_ms > b.total_ms : a.fingerprint < b.fingerprint;
  };
  for (auto& [key, t] : schema.tables) {
    for (const ForeignKey& fk : t.foreign_keys) {
      if (fk.columns.empty()) continue;
      bool indexed = std::any_of(t.indexes.begin(), t.indexes.end(), [&](const SchemaIndex& i) {
        if (i.partial || !i.valid || i.method != "btree" || i.columns.size() < fk.columns.size()) return false;
        std::set<std::string> want(fk.columns.begin(), fk.columns.end());
        std::set<std::string> have(i.columns.begin(), i.columns.begin() + static_cast<ptrdiff_t>(fk.columns.size()));
        return want == have;
      });
      if (indexed) continue;
      UnindexedForeignKey u{t.schema, t.name, fk, fk_queries[key + "\n" + fk.name], 0};
      std::sort(u.queries.begin(), u.queries.end(), by_time);
      u.queries.erase(
          std::unique(u.queries.begin(), u.queries.end(),
                      [](const CandidateQuery& a, const CandidateQuery& b) { return a.fingerprint == b.fingerprint; }),
          u.queries.end());
      for (const CandidateQuery& q : u.queries) u.total_ms += q.total_ms;
      std::set<std::string> fk_set(fk.columns.begin(), fk.columns.end());
      for (auto& [k, c] : candidates) {
        if (c.schema == t.schema && c.table == t.name && c.columns.size() >= fk.columns.size() &&
            std::set<std::string>(c.columns.begin(), c.columns.begin() + static_cast<ptrdiff_t>(fk.columns.size())) ==
                fk_set &&
            c.foreign_key.empty()) {
          c.foreign_key = fk.name;
        }
      }
      result.unindexed_fks.push_back(std::move(u));
    }
  }
  for (auto& [key, c] : candidates) {
    std::sort(c.queries.begin(), c.queries.end(), by_time);
    for (const CandidateQuery& q : c.queries) c.total_ms += q.total_ms;
    SetPlanVerdict(&c);
    c.score = c.total_ms;
    result.candidates.push_back(std::move(c));
  }
  RankCandidates(&result);
  return result;
}

void RankCandidates(AdvisorResult* result) {
  for (IndexCandidate& c : result->candidates) {
    double expected = 1.0;
    if (c.saving >= 0) {
      expected = c.saving;
    } else if (c.plan_removed >= 0) {
      expected = c.plan_removed;
    } else if (c.plan_index_only) {
      expected = 0.1;
    }
    c.score = c.total_ms * expected;
  }
  std::sort(result->candidates.begin(), result->candidates.end(), [](const IndexCandidate& a, const IndexCandidate& b) {
    return a.score != b.score ? a.score > b.score : a.Key() < b.Key();
  });
}

}  // namespace pgsift
