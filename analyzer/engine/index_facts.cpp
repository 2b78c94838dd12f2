// Facts the index rules show, and the rule list of the index category.
#include <cstdio>

#include "pgsift/indexes.h"
#include "pgsift/report.h"

namespace pgsift {

namespace {

std::string Percent(double fraction) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.1f%%", fraction * 100);
  return buf;
}

std::string Bytes(int64_t b) {
  char buf[32];
  if (b >= 1 << 20)
    snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(b) / (1 << 20));
  else
    snprintf(buf, sizeof buf, "%.1f kiB", static_cast<double>(b) / 1024);
  return buf;
}

}  // namespace

void AddQueryFacts(const std::vector<CandidateQuery>& queries, Finding* f) {
  uint64_t calls = 0, plans = 0;
  double ms = 0;
  for (const CandidateQuery& q : queries) {
    calls += q.calls;
    ms += q.total_ms;
    plans += q.plans;
  }
  if (queries.empty()) return;
  f->facts.emplace_back("queries helped", std::to_string(queries.size()) + " (" + std::to_string(calls) + " calls, " +
                                              FormatMs(ms) + ")");
  constexpr size_t kShown = 3;
  for (size_t i = 0; i < queries.size() && i < kShown; ++i) {
    const CandidateQuery& q = queries[i];
    std::string line = q.normalized + "  [" + std::to_string(q.calls) + (q.calls == 1 ? " call, " : " calls, ") +
                       FormatMs(q.total_ms) + "]";
    f->facts.emplace_back("query", line);
    if (q.cost_before >= 0 && q.cost_after >= 0) {
      char buf[160];
      snprintf(buf, sizeof buf, "cost %.2f -> %.2f (%s saved)%s", q.cost_before, q.cost_after,
               Percent(q.cost_before > 0 ? 1 - q.cost_after / q.cost_before : 0).c_str(),
               q.index_used ? "" : ", the planner does not use the index");
      f->facts.emplace_back("hypopg", buf);
    } else if (!q.proof_error.empty()) {
      f->facts.emplace_back("hypopg", "not proven: " + q.proof_error);
    }
  }
  if (queries.size() > kShown) f->facts.emplace_back("more queries", std::to_string(queries.size() - kShown));
  if (plans > 0) f->facts.emplace_back("auto_explain plans", std::to_string(plans));
}

void AddTableFacts(const SchemaTable* t, Finding* f) {
  if (t == nullptr || t->rows < 0) return;
  std::string table = std::to_string(t->rows) + " rows";
  if (t->size_bytes >= 0) table += ", " + Bytes(t->size_bytes);
  if (t->seq_scan >= 0)
    table += ", " + std::to_string(t->seq_scan) + " seq scans, " + std::to_string(t->idx_scan) + " index scans";
  f->facts.emplace_back("table", table);
  if (t->n_tup_ins >= 0) {
    // Every index is one more structure each insert (and each update of an
    // indexed column, or any non-HOT update) has to write.
    f->facts.emplace_back("write cost", std::to_string(t->n_tup_ins + t->n_tup_upd + t->n_tup_del) +
                                            " rows written since statistics reset (" + std::to_string(t->n_tup_ins) +
                                            " inserts, " + std::to_string(t->n_tup_upd) + " updates, " +
                                            std::to_string(t->n_tup_del) + " deletes), each one index entry more");
  }
}

}  // namespace pgsift

namespace pgsift {

std::vector<std::unique_ptr<IndexRule>> MakeIndexRules() {
  std::vector<std::unique_ptr<IndexRule>> out;
  for (auto& rule : MakeAllRules()) {
    if (rule->Info().input != RuleInput::kSchema) continue;
    auto* r = dynamic_cast<IndexRule*>(rule.get());
    if (r == nullptr) continue;
    rule.release();
    out.emplace_back(r);
  }
  return out;
}

}  // namespace pgsift
