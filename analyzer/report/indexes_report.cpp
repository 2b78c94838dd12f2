// The output of `pgsift indexes`: JSON (schema pgsift.indexes.v1) and the
// terminal text. Deterministic for the same run.
#include "pgsift/indexes_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "pgsift/findings_json.h"
#include "pgsift/fingerprint.h"
#include "pgsift/indexes.h"
#include "pgsift/report.h"

namespace pgsift {

namespace {

nlohmann::ordered_json EvidenceJson(const TableScanEvidence& e) {
  nlohmann::ordered_json j;
  j["relation"] = e.relation;
  j["plans"] = e.plans;
  j["seq_scans"] = e.seq_scans;
  j["index_scans"] = e.index_scans;
  j["other_reads"] = e.plans - std::min(e.plans, e.seq_scans + e.index_scans);  // Seq Scans without a filter, ...
  j["indexes_used"] = e.indexes_used;
  if (e.RemovedFraction() >= 0) {
    j["rows_removed"] = e.rows_removed;
    j["rows_returned"] = e.rows_returned;
    j["loops"] = e.loops;
    j["removed_fraction"] = e.RemovedFraction();
  }
  // Sums of times come in the parsing threads' order: rounded, so the JSON
  // is the same for any -j.
  if (e.TimeShare() >= 0) j["time_share"] = std::round(e.TimeShare() * 1e4) / 1e4;
  return j;
}

nlohmann::ordered_json QueriesJson(const std::vector<CandidateQuery>& queries) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const CandidateQuery& q : queries) {
    nlohmann::ordered_json j;
    j["fingerprint"] = FingerprintHex(q.fingerprint);
    j["normalized"] = q.normalized;
    j["calls"] = q.calls;
    j["total_ms"] = q.total_ms;
    j["plans"] = q.plans;
    if (q.cost_before >= 0) {
      j["cost_before"] = q.cost_before;
      j["cost_after"] = q.cost_after;
      j["index_used"] = q.index_used;
    }
    if (!q.proof_error.empty()) j["proof_error"] = q.proof_error;
    if (q.evidence.plans > 0) j["plan_evidence"] = EvidenceJson(q.evidence);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

std::string IndexesJson(const IndexRunResult& r, double min_saving) {
  nlohmann::ordered_json doc;
  doc["schema"] = "pgsift.indexes.v1";
  doc["schema_source"] = r.schema.source;
  doc["proof"] = r.context.proof_ran ? "hypopg" : "none";
  if (!r.proof_error.empty()) doc["proof_error"] = r.proof_error;
  doc["queries_seen"] = r.advisor.queries_seen;
  doc["queries_unparsed"] = r.advisor.queries_unparsed;
  doc["queries_refused"] = r.advisor.queries_refused;
  nlohmann::ordered_json cands = nlohmann::ordered_json::array();
  for (const IndexCandidate& c : r.advisor.candidates) {
    nlohmann::ordered_json j;
    j["statement"] = c.Statement();
    j["table"] = c.schema + "." + c.table;
    j["columns"] = c.columns;
    j["kinds"] = c.kinds;
    if (!c.foreign_key.empty()) j["foreign_key"] = c.foreign_key;
    j["total_ms"] = c.total_ms;
    j["score"] = c.score;
    if (const SchemaTable* t = r.schema.Find(c.schema, c.table)) {
      double per_hour = IndexEntriesPerHour(*t, r.schema.stats_seconds);
      if (per_hour >= 0) j["write_index_entries_per_hour"] = per_hour;
    }
    j["opclasses"] = c.opclasses;
    if (c.plan_removed >= 0) j["plan_removed_fraction"] = c.plan_removed;
    j["plan_index_only"] = c.plan_index_only;
    j["plan_counter_evidence"] = c.PlanCounterEvidence(min_saving);
    if (r.context.proof_ran) {
      j["proven"] = c.proven;
      j["saving"] = c.saving;
    }
    j["queries"] = QueriesJson(c.queries);
    cands.push_back(std::move(j));
  }
  doc["candidates"] = std::move(cands);
  nlohmann::ordered_json fks = nlohmann::ordered_json::array();
  for (const UnindexedForeignKey& u : r.advisor.unindexed_fks) {
    nlohmann::ordered_json j;
    j["table"] = u.schema + "." + u.table;
    j["constraint"] = u.fk.name;
    j["columns"] = u.fk.columns;
    j["references"] = u.fk.ref_table;
    j["queries"] = QueriesJson(u.queries);
    fks.push_back(std::move(j));
  }
  doc["unindexed_foreign_keys"] = std::move(fks);
  doc["findings"] = FindingsToJson(r.findings);
  return doc.dump(2) + "\n";
}

std::string IndexesText(const IndexRunResult& r) {
  std::ostringstream out;
  out << RenderFindingsText(r.findings);
  // The findings above are in stable order; the plan of action is ranked.
  std::vector<std::string> ranked;
  for (const Finding& f : r.findings) {
    if (!f.fix.empty()) ranked.push_back(f.fix);
  }
  size_t rank = 0;
  for (const IndexCandidate& c : r.advisor.candidates) {
    if (std::find(ranked.begin(), ranked.end(), c.Statement()) == ranked.end()) continue;
    if (rank++ == 0) out << "\nRanked by time the queries spent x saving:\n";
    char line[64];
    snprintf(line, sizeof line, "%3zu. %s  ", rank, FormatMs(c.total_ms).c_str());
    out << line << c.Statement() << "\n";
  }
  out << (r.findings.empty() ? "" : "\n") << r.findings.size() << " finding(s) from " << r.advisor.queries_seen
      << " queries (" << r.advisor.queries_on_known_tables << " on known tables), schema from " << r.schema.source
      << ", " << (r.context.proof_ran ? "proven with HypoPG" : "not proven (" + r.context.no_proof + ")");
  if (r.advisor.queries_refused > 0) {
    out << ", " << r.advisor.queries_refused << " queries refused by the statement gate (not sent to the server)";
  }
  out << "\n";
  return out.str();
}

}  // namespace pgsift
