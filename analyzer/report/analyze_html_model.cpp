// BuildHtmlModel: the analyze aggregates as the HTML report's model, and its
// JSON (the golden tests' view of the report).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "pgsift/analyze_html.h"
#include "pgsift/format.h"

namespace pgsift {
namespace {

// Rounded to microseconds, as in the analyze JSON: goldens do not depend on
// the order floating-point sums were made in.
double Ms(double v) { return std::round(v * 1000.0) / 1000.0; }

template <typename Map, typename Get>
std::vector<HtmlCount> Top(const Map& m, size_t n, Get get) {
  std::vector<HtmlCount> v;
  for (const auto& [k, b] : m) {
    auto [count, ns] = get(b);
    v.push_back({std::string(k), count, Ms(NsToMs(ns))});
  }
  std::sort(v.begin(), v.end(), [](const HtmlCount& a, const HtmlCount& b) {
    if (a.total_ms != b.total_ms) return a.total_ms > b.total_ms;
    if (a.count != b.count) return a.count > b.count;
    return a.name < b.name;
  });
  if (v.size() > n) v.resize(n);
  return v;
}

std::vector<HtmlCount> Top(const BreakdownMap& m, size_t n) {
  return Top(m, n, [](const Breakdown& b) { return std::pair{b.calls, b.total_ns}; });
}
std::vector<HtmlCount> Top(const std::map<std::string, SessionStats::Count>& m, size_t n) {
  return Top(m, n, [](const SessionStats::Count& c) { return std::pair{c.sessions, c.total_ns}; });
}

std::vector<HtmlHistogramBin> Bins(const LatencyHistogram& h) {
  std::vector<HtmlHistogramBin> out;
  int first = -1, last = -1;
  for (int i = 0; i < LatencyHistogram::kBins; ++i) {
    if (h.bin(i) == 0) continue;
    if (first < 0) first = i;
    last = i;
  }
  for (int i = first; first >= 0 && i <= last; ++i) {
    double upper = LatencyHistogram::BinUpperMs(i);
    out.push_back({std::isinf(upper) ? -1.0 : Ms(upper), h.bin(i)});
  }
  return out;
}

std::string QueryId(const QueryStats& q) { return FingerprintHex(q.fingerprint) + (q.fallback ? "-fallback" : ""); }

const std::vector<std::string> kNotAvailable = {
    "auto_explain plans: analyze counts them per query (the Plans column) but keeps no plan text yet, so the "
    "drill-down shows no plan.",
    "Lock waits: counted over time; the waiting and blocking statements are not kept per query yet.",
    "Per-query timelines: by hour only (the drill-down's hourly table); per-query latency histograms: percentiles "
    "only.",
    "Errors over time: all errors per bucket, not per SQLSTATE or message.",
    "Checkpoints: count and write/sync time; buffers written and WAL distance are not kept.",
    "Queries by type (SELECT/INSERT/...), cancelled queries and prepared-statement times per phase are not "
    "reported.",
};

}  // namespace

HtmlModel BuildHtmlModel(const AnalyzeResult& r, const HtmlModelOptions& options) {
  HtmlModel m;
  const Workload& w = r.workload;
  const WorkloadSummary& s = w.summary;
  for (const InputReport& in : r.inputs) {
    m.inputs.push_back(options.base_names ? std::filesystem::path(in.name).filename().string() : in.name);
  }
  m.first_seen = FormatIsoTime(s.first_us);
  m.last_seen = FormatIsoTime(s.last_us);
  m.records = r.records;
  m.calls = s.calls;
  m.shapes = w.queries.size() + w.fallback_queries.size();
  m.errors = s.errors;
  m.connections = s.events_by_kind[static_cast<size_t>(EventKind::kConnection)];
  m.sessions = s.sessions.sessions;
  m.total_ms = Ms(s.total_ms());
  m.mean_ms = s.latency.count() ? Ms(s.total_ms() / static_cast<double>(s.latency.count())) : 0;
  m.temp_files = s.temp_files;
  m.temp_bytes = s.temp_bytes;
  m.plans = s.events_by_kind[static_cast<size_t>(EventKind::kPlan)];
  // Every query's sketch together: nearest-rank percentiles, exact up to
  // 32 durations, within 1% beyond (the histogram's bins are ±19%).
  DurationSketch all;
  for (const auto* queries : {&w.queries, &w.fallback_queries}) {
    for (const auto& [key, q] : *queries) all.Merge(q.durations);
  }
  m.p50_ms = Ms(all.Quantile(0.50));
  m.p95_ms = Ms(all.Quantile(0.95));
  m.p99_ms = Ms(all.Quantile(0.99));
  m.latency = Bins(s.latency);
  m.by_database = Top(s.by_database, options.breakdown);
  m.by_user = Top(s.by_user, options.breakdown);
  m.by_application = Top(s.by_application, options.breakdown);

  // Over time, and the busiest minute (or bucket, when buckets are longer).
  m.step_seconds = s.timeline.step_seconds();
  const int64_t busiest_step = std::max<int64_t>(60, m.step_seconds);
  std::map<int64_t, uint64_t> calls_per;
  for (const auto& [start, b] : s.timeline.buckets()) {
    HtmlBucket h;
    h.start = start;
    h.calls = b.calls;
    h.total_ms = Ms(NsToMs(b.total_ns));
    h.p50_ms = Ms(b.latency.Quantile(0.50));
    h.p95_ms = Ms(b.latency.Quantile(0.95));
    h.p99_ms = Ms(b.latency.Quantile(0.99));
    h.errors = b.errors;
    h.deadlocks = b.deadlocks;
    h.temp_files = b.temp_files;
    h.temp_bytes = b.temp_bytes;
    h.checkpoints = b.checkpoints;
    h.checkpoint_warnings = b.checkpoint_warnings;
    h.checkpoint_write_ms = Ms(NsToMs(b.checkpoint_write_ns));
    h.checkpoint_sync_ms = Ms(NsToMs(b.checkpoint_sync_ns));
    h.autovacuum = b.autovacuum;
    h.autoanalyze = b.autoanalyze;
    h.lock_waits = b.lock_waits;
    h.connections = b.connections;
    h.disconnections = b.disconnections;
    m.checkpoints += b.checkpoints;
    m.autovacuum += b.autovacuum;
    m.autoanalyze += b.autoanalyze;
    m.lock_waits += b.lock_waits;
    m.deadlocks += b.deadlocks;
    if (b.calls > 0) calls_per[start - (((start % busiest_step) + busiest_step) % busiest_step)] += b.calls;
    m.timeline.push_back(h);
  }
  for (const auto& [start, n] : calls_per) {
    if (n > m.busiest_calls) m.busiest_start = start, m.busiest_calls = n, m.busiest_seconds = busiest_step;
  }

  // Top queries: by total time, and the top few by every other sort key so
  // that sorting the table by them shows their leaders.
  std::vector<const QueryStats*> by_total = w.Sorted("total");
  std::set<const QueryStats*> shown;
  for (size_t i = 0; i < by_total.size() && i < options.top; ++i) shown.insert(by_total[i]);
  for (const char* key : {"mean", "calls", "max", "errors"}) {
    std::vector<const QueryStats*> v = w.Sorted(key);
    for (size_t i = 0; i < v.size() && i < options.top_other; ++i) shown.insert(v[i]);
  }
  std::vector<const QueryStats*> by_temp = by_total;
  std::stable_sort(by_temp.begin(), by_temp.end(),
                   [](const QueryStats* a, const QueryStats* b) { return a->temp_bytes > b->temp_bytes; });
  for (size_t i = 0; i < by_temp.size() && i < options.top_other && by_temp[i]->temp_files > 0; ++i) {
    shown.insert(by_temp[i]);
  }
  for (const Finding& f : r.findings) {
    HtmlFinding h{f.rule_id, std::string(SeverityName(f.severity)), f.message, f.help, f.fix, "", f.facts};
    m.findings.push_back(std::move(h));
  }
  for (const QueryStats* q : by_total) {
    if (!shown.contains(q)) continue;
    HtmlQuery h;
    h.id = QueryId(*q);
    h.normalized = q->normalized;
    h.fallback = q->fallback;
    h.calls = q->calls;
    h.errors = q->errors();
    h.temp_files = q->temp_files;
    h.temp_bytes = q->temp_bytes;
    h.plans = q->plans;
    h.prepares = q->prepares;
    h.total_ms = Ms(q->total_ms());
    h.mean_ms = Ms(q->mean_ms());
    h.min_ms = Ms(q->min_ms);
    h.max_ms = Ms(q->max_ms);
    h.p50_ms = Ms(q->durations.Quantile(0.50));
    h.p95_ms = Ms(q->durations.Quantile(0.95));
    h.p99_ms = Ms(q->durations.Quantile(0.99));
    h.share = s.total_ms() > 0 ? std::round(q->total_ms() / s.total_ms() * 1e4) / 1e4 : 0;
    h.first_seen = FormatIsoTime(q->first_us);
    h.last_seen = FormatIsoTime(q->last_us);
    h.by_database = Top(q->by_database, options.breakdown);
    h.by_user = Top(q->by_user, options.breakdown);
    h.by_application = Top(q->by_application, options.breakdown);
    for (const auto& [state, n] : q->errors_by_sqlstate) h.errors_by_sqlstate.push_back({state, n, 0});
    for (const auto& [hour, b] : q->hourly) h.hourly.push_back({hour, {"", b.calls, Ms(b.total_ms())}});
    for (size_t i = 0; i < r.findings.size(); ++i) {
      if (r.findings[i].fingerprint == q->fingerprint && q->fingerprint != 0) {
        h.findings.push_back(i);
        m.findings[i].query = h.id;
      }
    }
    m.queries.push_back(std::move(h));
  }
  m.queries_not_shown = by_total.size() - m.queries.size();

  for (const auto& [key, g] : s.error_groups.groups) {
    size_t tab = key.find('\t');
    HtmlErrorGroup h{key.substr(0, tab), key.substr(tab + 1), g.count, FormatIsoTime(g.first_us),
                     FormatIsoTime(g.last_us), {}};
    for (const auto& [fp, n] : g.shapes) {
      std::string id;
      if (fp != 0) {
        auto it = w.queries.find(fp);
        const QueryStats* q = it != w.queries.end() ? &it->second : nullptr;
        if (q == nullptr) {
          auto f = w.fallback_queries.find(fp);
          if (f != w.fallback_queries.end()) q = &f->second;
        }
        id = q ? QueryId(*q) : FingerprintHex(fp);
      }
      h.queries.push_back({id, n});
    }
    m.errors_by_message.push_back(std::move(h));
  }
  std::stable_sort(m.errors_by_message.begin(), m.errors_by_message.end(),
                   [](const HtmlErrorGroup& a, const HtmlErrorGroup& b) { return a.count > b.count; });

  m.session_durations = Bins(s.sessions.durations);
  m.session_total_ms = Ms(NsToMs(s.sessions.total_ns));
  m.sessions_by_database = Top(s.sessions.by_database, options.breakdown);
  m.sessions_by_user = Top(s.sessions.by_user, options.breakdown);
  m.sessions_by_application = Top(s.sessions.by_application, options.breakdown);
  m.sessions_by_host = Top(s.sessions.by_host, options.breakdown);
  for (const auto& [name, t] : s.vacuum.tables) {
    m.vacuum.push_back({name, t.vacuums, t.analyzes, t.removed_tuples, t.buffer_hits, t.buffer_misses,
                        t.buffer_dirtied, Ms(NsToMs(t.elapsed_ns))});
  }
  std::stable_sort(m.vacuum.begin(), m.vacuum.end(), [](const HtmlVacuumTable& a, const HtmlVacuumTable& b) {
    return a.vacuums + a.analyzes > b.vacuums + b.analyzes;
  });
  m.not_available = kNotAvailable;
  return m;
}

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
                        {"disconnections", b.disconnections}});
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
                       {"first_seen", q.first_seen},
                       {"last_seen", q.last_seen},
                       {"by_database", Counts(q.by_database)},
                       {"by_user", Counts(q.by_user)},
                       {"by_application", Counts(q.by_application)},
                       {"hourly", hourly},
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
  j["not_available"] = m.not_available;
  out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace pgsift
