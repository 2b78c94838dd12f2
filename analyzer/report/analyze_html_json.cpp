// WriteHtmlModelJson: the HTML report's model as JSON (the golden tests'
// view of the report).
#include <nlohmann/json.hpp>

#include "pgsift/analyze_html.h"
#include "pgsift/format.h"

namespace pgsift {
namespace {

using Json = nlohmann::ordered_json;

Json Counts(const std::vector<HtmlCount>& v) {
  Json out = Json::array();
  for (const HtmlCount& c : v) out.push_back({{"name", c.name}, {"count", c.count}, {"total_ms", c.total_ms}});
  return out;
}

Json Bins(const std::vector<HtmlHistogramBin>& v) {
  Json out = Json::array();
  for (const HtmlHistogramBin& b : v) out.push_back({{"upper_ms", b.upper_ms}, {"count", b.count}});
  return out;
}

Json States(const std::vector<std::pair<std::string, uint64_t>>& v) {
  Json out = Json::object();
  for (const auto& [state, n] : v) out[state] = n;
  return out;
}

Json Plans(const std::vector<HtmlPlan>& v) {
  Json out = Json::array();
  for (const HtmlPlan& p : v) {
    out.push_back({{"duration_ms", p.duration_ms}, {"seen", p.seen}, {"text", p.text}, {"truncated", p.truncated}});
  }
  return out;
}

std::string Iso(int64_t secs) { return FormatIsoTime(secs * 1000000); }

}  // namespace

void WriteHtmlModelJson(const HtmlModel& m, std::ostream& out) {
  Json j;
  j["inputs"] = m.inputs;
  j["first_seen"] = m.first_seen;
  j["last_seen"] = m.last_seen;
  j["overview"] = {{"records", m.records},     {"calls", m.calls},
                   {"shapes", m.shapes},       {"total_ms", m.total_ms},
                   {"mean_ms", m.mean_ms},     {"p50_ms", m.p50_ms},
                   {"p95_ms", m.p95_ms},       {"p99_ms", m.p99_ms},
                   {"errors", m.errors},       {"connections", m.connections},
                   {"sessions", m.sessions},   {"temp_files", m.temp_files},
                   {"temp_bytes", m.temp_bytes}, {"checkpoints", m.checkpoints},
                   {"autovacuum", m.autovacuum}, {"autoanalyze", m.autoanalyze},
                   {"lock_waits", m.lock_waits}, {"deadlocks", m.deadlocks},
                   {"plans", m.plans},
                   {"cancelled", m.cancelled},
                   {"queries_by_type", Counts(m.queries_by_type)},
                   {"busiest", {{"start", m.busiest_seconds ? Iso(m.busiest_start) : ""},
                                {"seconds", m.busiest_seconds},
                                {"calls", m.busiest_calls}}},
                   {"latency", Bins(m.latency)},
                   {"by_database", Counts(m.by_database)},
                   {"by_user", Counts(m.by_user)},
                   {"by_application", Counts(m.by_application)}};
  Json timeline = Json::array();
  for (const HtmlBucket& b : m.timeline) {
    timeline.push_back({{"start", Iso(b.start)},
                        {"calls", b.calls},
                        {"total_ms", b.total_ms},
                        {"p50_ms", b.p50_ms},
                        {"p95_ms", b.p95_ms},
                        {"p99_ms", b.p99_ms},
                        {"errors", b.errors},
                        {"deadlocks", b.deadlocks},
                        {"temp_files", b.temp_files},
                        {"temp_bytes", b.temp_bytes},
                        {"checkpoints", b.checkpoints},
                        {"checkpoint_warnings", b.checkpoint_warnings},
                        {"checkpoint_write_ms", b.checkpoint_write_ms},
                        {"checkpoint_sync_ms", b.checkpoint_sync_ms},
                        {"autovacuum", b.autovacuum},
                        {"autoanalyze", b.autoanalyze},
                        {"lock_waits", b.lock_waits},
                        {"connections", b.connections},
                        {"disconnections", b.disconnections},
                        {"errors_by_sqlstate", States(b.errors_by_sqlstate)}});
  }
  j["over_time"] = {{"step_seconds", m.step_seconds}, {"buckets", timeline}};
  Json queries = Json::array();
  for (const HtmlQuery& q : m.queries) {
    Json hourly = Json::array();
    for (const auto& [h, c] : q.hourly) hourly.push_back({{"hour", Iso(h)}, {"calls", c.count}, {"total_ms", c.total_ms}});
    Json states = Json::object();
    for (const HtmlCount& c : q.errors_by_sqlstate) states[c.name] = c.count;
    queries.push_back({{"id", q.id},
                       {"normalized", q.normalized},
                       {"calls", q.calls},
                       {"total_ms", q.total_ms},
                       {"mean_ms", q.mean_ms},
                       {"min_ms", q.min_ms},
                       {"max_ms", q.max_ms},
                       {"p50_ms", q.p50_ms},
                       {"p95_ms", q.p95_ms},
                       {"p99_ms", q.p99_ms},
                       {"share", q.share},
                       {"errors", q.errors},
                       {"errors_by_sqlstate", states},
                       {"temp_files", q.temp_files},
                       {"temp_bytes", q.temp_bytes},
                       {"plans", q.plans},
                       {"prepares", q.prepares},
                       {"lock_waits", q.lock_waits},
                       {"lock_wait_ms", q.lock_wait_ms},
                       {"first_seen", q.first_seen},
                       {"last_seen", q.last_seen},
                       {"by_database", Counts(q.by_database)},
                       {"by_user", Counts(q.by_user)},
                       {"by_application", Counts(q.by_application)},
                       {"hourly", hourly},
                       {"slowest_plans", Plans(q.slowest_plans)},
                       {"findings", q.findings}});
  }
  j["queries"] = queries;
  j["queries_not_shown"] = m.queries_not_shown;
  Json errors = Json::array();
  for (const HtmlErrorGroup& e : m.errors_by_message) {
    Json qs = Json::array();
    for (const auto& [id, n] : e.queries) qs.push_back({{"query", id}, {"count", n}});
    errors.push_back({{"sqlstate", e.sqlstate},
                      {"message", e.message},
                      {"count", e.count},
                      {"first_seen", e.first_seen},
                      {"last_seen", e.last_seen},
                      {"queries", qs}});
  }
  j["errors"] = errors;
  Json findings = Json::array();
  for (const HtmlFinding& f : m.findings) {
    Json facts = Json::array();
    for (const auto& [k, v] : f.facts) facts.push_back({k, v});
    findings.push_back({{"rule", f.rule},
                        {"severity", f.severity},
                        {"message", f.message},
                        {"help", f.help},
                        {"fix", f.fix},
                        {"query", f.query},
                        {"facts", facts}});
  }
  j["findings"] = findings;
  j["sessions"] = {{"durations", Bins(m.session_durations)},
                   {"total_ms", m.session_total_ms},
                   {"by_database", Counts(m.sessions_by_database)},
                   {"by_user", Counts(m.sessions_by_user)},
                   {"by_application", Counts(m.sessions_by_application)},
                   {"by_host", Counts(m.sessions_by_host)}};
  Json vacuum = Json::array();
  for (const HtmlVacuumTable& t : m.vacuum) {
    vacuum.push_back({{"table", t.table},
                      {"vacuums", t.vacuums},
                      {"analyzes", t.analyzes},
                      {"elapsed_ms", t.elapsed_ms},
                      {"removed_tuples", t.removed_tuples},
                      {"buffer_hits", t.buffer_hits},
                      {"buffer_misses", t.buffer_misses},
                      {"buffer_dirtied", t.buffer_dirtied}});
  }
  j["vacuum"] = vacuum;
  Json waits = Json::array();
  for (const HtmlLockWait& l : m.longest_lock_waits) {
    waits.push_back({{"time", l.time},
                     {"wait_ms", l.wait_ms},
                     {"lock", l.lock},
                     {"pid", l.pid},
                     {"blockers", l.blockers},
                     {"queue", l.queue},
                     {"query", l.query}});
  }
  j["locks"] = {{"waits", m.lock_waits},
                {"wait_ms", m.lock_wait_ms},
                {"deadlocks", m.deadlocks},
                {"by_kind", Counts(m.locks_by_kind)},
                {"longest", waits}};
  j["not_available"] = m.not_available;
  out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace pgsift
