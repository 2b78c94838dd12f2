// Facts the index rules show, and the rule list of the index category.
#include <algorithm>
#include <cstdio>

#include "pgsift/indexes.h"
#include "pgsift/format.h"

namespace pgsift {

namespace {

std::string Percent(double fraction) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.1f%%", fraction * 100);
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
  TableScanEvidence all;
  for (const CandidateQuery& q : queries) all.Merge(q.evidence);
  std::string plan = DescribePlanEvidence(all);
  if (!plan.empty()) f->facts.emplace_back("plan evidence", plan);
}

std::string DescribePlanEvidence(const TableScanEvidence& e) {
  if (e.plans == 0) return "";
  std::string out;
  auto plans = [](uint64_t n) { return std::to_string(n) + (n == 1 ? " plan" : " plans"); };
  if (e.seq_scans > 0) {
    out =
        plans(e.seq_scans) + " of " + std::to_string(e.plans) + " read " + e.relation + " with a Seq Scan and a Filter";
    double removed = e.RemovedFraction();
    if (removed >= 0) {
      char buf[160];
      snprintf(buf, sizeof buf, "; the filter removed %s of %.0f rows read (%.0f loops)", Percent(removed).c_str(),
               e.rows_removed + e.rows_returned, e.loops);
      out += buf;
      double share = e.TimeShare();
      if (share >= 0) out += ", " + Percent(share) + " of the plan time";
    } else {
      out += " (no actual rows: auto_explain.log_analyze is off)";
    }
  }
  uint64_t other = e.plans - std::min(e.plans, e.seq_scans + e.index_scans);
  if (other > 0) {
    // A Seq Scan without a filter: the query reads the whole table (an
    // ORDER BY ... LIMIT or GROUP BY over all of it).
    out +=
        (out.empty() ? plans(other) + " read " + e.relation : "; " + plans(other)) + " whole (a Seq Scan, no filter)";
  }
  if (e.index_scans > 0) {
    std::string names;
    for (const std::string& i : e.indexes_used) names += (names.empty() ? "" : ", ") + i;
    out += (out.empty() ? plans(e.index_scans) + " read " + e.relation : "; " + plans(e.index_scans)) +
           " through an index" + (names.empty() ? "" : " (" + names + ")");
  }
  return out;
}

double IndexEntriesPerHour(const SchemaTable& t, int64_t stats_seconds) {
  if (t.n_tup_ins < 0 || t.n_tup_hot_upd < 0 || stats_seconds <= 0) return -1;
  int64_t entries = t.n_tup_ins + std::max<int64_t>(0, t.n_tup_upd - t.n_tup_hot_upd);
  return static_cast<double>(entries) * 3600.0 / static_cast<double>(stats_seconds);
}

void AddTableFacts(const SchemaTable* t, Finding* f, int64_t stats_seconds) {
  if (t == nullptr || t->rows < 0) return;
  std::string table = std::to_string(t->rows) + " rows";
  if (t->size_bytes >= 0) table += ", " + FormatBytes(t->size_bytes);
  if (t->seq_scan >= 0)
    table += ", " + std::to_string(t->seq_scan) + " seq scans, " + std::to_string(t->idx_scan) + " index scans";
  f->facts.emplace_back("table", table);
  if (t->n_tup_ins >= 0 && t->n_tup_hot_upd >= 0 && stats_seconds > 0) {
    // An index takes one entry per insert and per non-HOT update (deletes
    // leave their entries to vacuum); an update of the new index's column
    // stops being HOT, so this is the least it costs.
    char window[48];
    if (stats_seconds >= 360) {
      snprintf(window, sizeof window, "%.1f h", static_cast<double>(stats_seconds) / 3600.0);
    } else {
      snprintf(window, sizeof window, "%lld s", static_cast<long long>(stats_seconds));
    }
    char buf[256];
    snprintf(buf, sizeof buf,
             "%.1f index entries per hour for one more index (%lld inserts + %lld non-HOT updates in %s since "
             "statistics reset; %lld deletes, %lld HOT updates)",
             IndexEntriesPerHour(*t, stats_seconds), static_cast<long long>(t->n_tup_ins),
             static_cast<long long>(std::max<int64_t>(0, t->n_tup_upd - t->n_tup_hot_upd)), window,
             static_cast<long long>(t->n_tup_del), static_cast<long long>(t->n_tup_hot_upd));
    f->facts.emplace_back("write cost", buf);
  } else if (t->n_tup_ins >= 0) {
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
