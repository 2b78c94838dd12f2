#include "pgsift/workload.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "pgsift/own_statements.h"
#include "pgsift/plan.h"
#include "pgsift/session_sequences.h"
#include "pgsift/text_hash.h"

namespace pgsift {
namespace {

uint64_t SessionHash(std::string_view session) {
  uint64_t h = std::hash<std::string_view>{}(session);
  return h == 0 ? 1 : h;  // 0 means "no session"
}

constexpr size_t kMaxSessions = 100000;

void Count(Breakdown* b, double ms) {
  ++b->calls;
  if (ms > 0) {
    b->total_ns += DurationNs(ms);
  }
}

// Counts a call under `key` in `m`, whose entry for the last key is cached
// in slot `i` of `cache` (map nodes do not move, so the pointer stays valid).
void AddTo(BreakdownMap* m, BreakdownCache* cache, size_t i, std::string_view key, double ms) {
  if (cache->at[i] == nullptr || *cache->key[i] != key) {
    auto it = m->find(key);
    if (it == m->end()) it = m->emplace(std::string(key), Breakdown{}).first;
    cache->key[i] = &it->first;
    cache->at[i] = &it->second;
  }
  Count(cache->at[i], ms);
}

void MergeMap(BreakdownMap* into, const BreakdownMap& from) {
  for (const auto& [k, v] : from) {
    Breakdown& b = (*into)[k];
    b.calls += v.calls;
    b.total_ns += v.total_ns;
  }
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void MergeStats(QueryStats* a, const QueryStats& b) {
  if (b.first_input < a->first_input || (b.first_input == a->first_input && b.first_line < a->first_line)) {
    a->first_input = b.first_input;
    a->first_line = b.first_line;
    a->normalized = b.normalized;
  }
  if (b.calls_with_duration > 0) {
    a->min_ms = a->calls_with_duration ? std::min(a->min_ms, b.min_ms) : b.min_ms;
    a->max_ms = std::max(a->max_ms, b.max_ms);
  }
  a->calls += b.calls;
  a->calls_with_duration += b.calls_with_duration;
  a->total_ns += b.total_ns;
  a->durations.Merge(b.durations);
  if (b.first_us != kNoTime && (a->first_us == kNoTime || b.first_us < a->first_us)) a->first_us = b.first_us;
  if (b.last_us != kNoTime && (a->last_us == kNoTime || b.last_us > a->last_us)) a->last_us = b.last_us;
  MergeMap(&a->by_database, b.by_database);
  MergeMap(&a->by_user, b.by_user);
  MergeMap(&a->by_application, b.by_application);
  for (const auto& [h, v] : b.hourly) {
    a->hourly[h].calls += v.calls;
    a->hourly[h].total_ns += v.total_ns;
  }
  for (const auto& [s, n] : b.errors_by_sqlstate) a->errors_by_sqlstate[s] += n;
  a->prepares += b.prepares;
  a->prepare_ns += b.prepare_ns;
  a->plans += b.plans;
  a->kept_plans.Merge(b.kept_plans);
  a->lock_waits += b.lock_waits;
  a->lock_wait_ns += b.lock_wait_ns;
  a->plans_with_rows += b.plans_with_rows;
  a->plan_rows_max = std::max(a->plan_rows_max, b.plan_rows_max);
  a->temp_files += b.temp_files;
  a->temp_bytes += b.temp_bytes;
}

// A disconnection: its session time under the session's database, user,
// application and host (the message names all but the application).
void CountSession(const Event& e, SessionStats* s) {
  double ms = SessionTimeMs(e.message);
  if (ms < 0) return;
  auto field = [&](std::string_view key, std::string_view fallback) {
    size_t p = e.message.find(key);
    if (p == std::string_view::npos) return fallback;
    std::string_view v = e.message.substr(p + key.size());
    return v.substr(0, v.find_first_of(" \n"));
  };
  SessionStats one;
  one.sessions = 1;
  one.total_ns = DurationNs(ms);
  one.durations.Add(ms);
  SessionStats::Count c{1, one.total_ns};
  one.by_database[std::string(field(" database=", e.database))] = c;
  one.by_user[std::string(field(" user=", e.user))] = c;
  one.by_application[std::string(e.application)] = c;
  one.by_host[std::string(field(" host=", e.client))] = c;
  s->Merge(one);
}

void Span(int64_t t, int64_t* first, int64_t* last) {
  if (t == kNoTime) return;
  if (*first == kNoTime || t < *first) *first = t;
  if (*last == kNoTime || t > *last) *last = t;
}

}  // namespace

uint64_t QueryStats::errors() const {
  uint64_t n = 0;
  for (const auto& [s, c] : errors_by_sqlstate) n += c;
  return n;
}

LeftOut Filters::Why(const Event& e) const {
  if ((since_us != kNoTime || until_us != kNoTime) && e.time_us == kNoTime) return LeftOut::kNoTime;
  if (since_us != kNoTime && e.time_us < since_us) return LeftOut::kBefore;
  if (until_us != kNoTime && e.time_us >= until_us) return LeftOut::kAfter;
  if (!databases.empty() && !Contains(databases, e.database)) return LeftOut::kDatabase;
  if (!users.empty() && !Contains(users, e.user)) return LeftOut::kUser;
  if (!applications.empty() && !Contains(applications, e.application)) return LeftOut::kApplication;
  return LeftOut::kCount_;
}

bool Filters::Selects(const Event& e) const {
  return (databases.empty() || Contains(databases, e.database)) && (users.empty() || Contains(users, e.user)) &&
         (applications.empty() || Contains(applications, e.application));
}

namespace {

void CountLeftOutDatabase(std::map<std::string, uint64_t>* by_name, const std::string& name, uint64_t n) {
  auto it = by_name->find(name);
  if (it == by_name->end() && by_name->size() >= kMaxLeftOutDatabases) it = by_name->try_emplace("…").first;
  if (it == by_name->end()) it = by_name->try_emplace(name).first;
  it->second += n;
}

}  // namespace

QueryStats& Workload::Stats(const Shape& shape, uint64_t input, uint64_t line) {
  auto& map = shape.fallback ? fallback_queries : queries;
  auto [it, inserted] = map.try_emplace(shape.fingerprint);
  QueryStats& q = it->second;
  if (inserted) {
    q.fingerprint = shape.fingerprint;
    q.fallback = shape.fallback;
    q.truncated = shape.truncated;
    q.overflow = shape.overflow;
    q.normalized = shape.normalized;
  }
  if (input < q.first_input || (input == q.first_input && line < q.first_line)) {
    q.first_input = input;
    q.first_line = line;
    q.normalized = shape.normalized;
  }
  return q;
}

void Workload::Merge(const Workload& other) {
  for (const auto& [fp, q] : other.queries) {
    auto [it, inserted] = queries.try_emplace(fp, q);
    if (!inserted) MergeStats(&it->second, q);
  }
  for (const auto& [fp, q] : other.fallback_queries) {
    auto [it, inserted] = fallback_queries.try_emplace(fp, q);
    if (!inserted) MergeStats(&it->second, q);
  }
  WorkloadSummary& s = summary;
  const WorkloadSummary& o = other.summary;
  for (size_t i = 0; i < static_cast<size_t>(EventKind::kCount_); ++i) s.events_by_kind[i] += o.events_by_kind[i];
  s.filtered_out += o.filtered_out;
  for (size_t i = 0; i < static_cast<size_t>(LeftOut::kCount_); ++i) s.left_out[i] += o.left_out[i];
  for (const auto& [name, n] : o.left_out_databases) CountLeftOutDatabase(&s.left_out_databases, name, n);
  s.pgsift_left_out += o.pgsift_left_out;
  s.pgsift_left_out_ns += o.pgsift_left_out_ns;
  s.calls += o.calls;
  s.total_ns += o.total_ns;
  Span(o.first_us, &s.first_us, &s.last_us);
  Span(o.last_us, &s.first_us, &s.last_us);
  for (const auto& [k, n] : o.errors_by_sqlstate) s.errors_by_sqlstate[k] += n;
  s.errors += o.errors;
  s.temp_files += o.temp_files;
  s.temp_bytes += o.temp_bytes;
  s.durations_without_statement += o.durations_without_statement;
  MergeMap(&s.by_database, o.by_database);
  MergeMap(&s.by_user, o.by_user);
  MergeMap(&s.by_application, o.by_application);
  s.timeline.Merge(o.timeline);
  s.latency.Merge(o.latency);
  s.error_groups.Merge(o.error_groups);
  s.sessions.Merge(o.sessions);
  s.vacuum.Merge(o.vacuum);
  s.lock_waits.Merge(o.lock_waits);
}

std::vector<const QueryStats*> Workload::Sorted(std::string_view by) const {
  std::vector<const QueryStats*> out;
  out.reserve(queries.size() + fallback_queries.size());
  for (const auto& [fp, q] : queries) out.push_back(&q);
  for (const auto& [fp, q] : fallback_queries) out.push_back(&q);
  auto metric = [by](const QueryStats* q) -> double {
    if (by == "calls") return static_cast<double>(q->calls);
    if (by == "mean") return q->mean_ms();
    if (by == "max") return q->max_ms;
    if (by == "p95") return q->durations.Quantile(0.95);
    if (by == "errors") return static_cast<double>(q->errors());
    return q->total_ms();
  };
  std::sort(out.begin(), out.end(), [&](const QueryStats* a, const QueryStats* b) {
    double ma = metric(a), mb = metric(b);
    if (ma != mb) return ma > mb;
    if (a->calls != b->calls) return a->calls > b->calls;
    if (a->fallback != b->fallback) return b->fallback;
    return a->fingerprint < b->fingerprint;
  });
  return out;
}

WorkloadBuilder::WorkloadBuilder(Workload* workload, Filters filters, Fingerprinter* fingerprinter)
    : workload_(workload),
      filters_(std::move(filters)),
      own_fingerprinter_(fingerprinter ? nullptr : std::make_unique<Fingerprinter>()),
      fingerprinter_(fingerprinter ? fingerprinter : own_fingerprinter_.get()) {}

void WorkloadBuilder::AddDuration(QueryStats* q, double ms, int64_t time_us) {
  if (q->calls_with_duration == 0 || ms < q->min_ms) q->min_ms = ms;
  if (ms > q->max_ms) q->max_ms = ms;
  ++q->calls_with_duration;
  int64_t ns = DurationNs(ms);
  q->total_ns += ns;
  q->durations.Add(ms);
  WorkloadSummary& s = workload_->summary;
  s.total_ns += ns;
  s.latency.Add(ms);
  if (TimeBucket* b = s.timeline.At(time_us)) {
    b->total_ns += ns;
    b->latency.Add(ms);
  }
}

void WorkloadBuilder::OnEvent(const Event& e) {
  WorkloadSummary& s = workload_->summary;
  // The tag counts only where the log does not say the application: a
  // statement of an application that is not pgsift's is its own, whatever
  // comment it carries.
  // pgsift's own statements never count; they are counted as left out
  // where the user's selection (database, user, application) would have
  // kept them ("--application web" leaves pgsift's out anyway).
  if (!filters_.include_pgsift &&
      (IsPgsiftApplication(e.application) || (e.application.empty() && IsPgsiftText(e.sql)))) {
    if (filters_.Selects(e)) {
      s.pgsift_left_out += e.kind == EventKind::kQuery;
      if (e.duration_ms >= 0) s.pgsift_left_out_ns += DurationNs(e.duration_ms);
    }
    return;
  }
  if (LeftOut why = filters_.Why(e); why != LeftOut::kCount_) {
    ++s.filtered_out;
    ++s.left_out[static_cast<size_t>(why)];
    if (why == LeftOut::kDatabase) CountLeftOutDatabase(&s.left_out_databases, std::string(e.database), 1);
    return;
  }
  ++s.events_by_kind[static_cast<size_t>(e.kind)];
  Span(e.time_us, &s.first_us, &s.last_us);
  switch (e.kind) {
    case EventKind::kQuery: {
      if (e.sql.empty()) return;
      const Shape& shape = fingerprinter_->Fingerprint(e.sql);
      QueryStats& q = workload_->Stats(shape, input_, line_base_ + e.line);
      double ms = e.duration_ms;
      Pending* pending = nullptr;
      if (!last_statement_.empty() || ms < 0) {
        auto it = last_statement_.find(e.session);
        if (it != last_statement_.end()) {
          EmitPending(&it->second);  // the session's earlier statement never got its duration
          pending = &it->second;
        }
      }
      if (statements_) {
        FillRun(e, shape, &run_);
        if (ms >= 0) statements_->OnStatement(run_);
      }
      if (plan_statements_) plans_->OnStatement(shape, e.sql, e.parameters);
      ++q.calls;
      ++s.calls;
      if (TimeBucket* b = s.timeline.At(e.time_us)) ++b->calls;
      if (ms >= 0) {
        AddDuration(&q, ms, e.time_us);
      } else {
        if (pending == nullptr) {
          if (last_statement_.size() >= kMaxSessions) Finish();
          pending = &last_statement_.emplace(std::string(e.session), Pending{}).first->second;
        }
        pending->query = &q;
        if (statements_) {
          pending->run = run_;
          pending->has_run = true;
        }
      }
      Span(e.time_us, &q.first_us, &q.last_us);
      AddTo(&q.by_database, &q.cache, 0, e.database, ms);
      AddTo(&q.by_user, &q.cache, 1, e.user, ms);
      AddTo(&q.by_application, &q.cache, 2, e.application, ms);
      AddTo(&s.by_database, &summary_cache_, 0, e.database, ms);
      AddTo(&s.by_user, &summary_cache_, 1, e.user, ms);
      AddTo(&s.by_application, &summary_cache_, 2, e.application, ms);
      if (e.time_us != kNoTime) {
        int64_t secs = e.time_us >= 0 ? e.time_us / 1000000 : (e.time_us - 999999) / 1000000;
        int64_t hour = secs - ((secs % 3600) + 3600) % 3600;
        if (q.cache.hour_at == nullptr || q.cache.hour != hour) {
          q.cache.hour = hour;
          q.cache.hour_at = &q.hourly[hour];
        }
        Count(q.cache.hour_at, ms);
      }
      if (pending != nullptr && ms < 0) {
        for (size_t i = 0; i < 3; ++i) {
          pending->counted[i] = q.cache.at[i];
          pending->counted[3 + i] = summary_cache_.at[i];
        }
        pending->hour = e.time_us != kNoTime ? q.cache.hour_at : nullptr;
        pending->time_us = e.time_us;
      }
      return;
    }
    case EventKind::kDurationOnly: {
      auto it = last_statement_.find(e.session);
      if (it == last_statement_.end() || it->second.query == nullptr) {
        ++s.durations_without_statement;
        return;
      }
      Pending& p = it->second;
      double ms = e.duration_ms;
      AddDuration(p.query, ms, e.time_us);
      if (ms > 0) {
        // Where the statement was counted (map nodes do not move).
        for (Breakdown* b : p.counted) {
          if (b != nullptr) b->total_ns += DurationNs(ms);
        }
        if (p.hour != nullptr) p.hour->total_ns += DurationNs(ms);
      }
      p.run.duration_ms = ms;
      EmitPending(&p);
      return;
    }
    case EventKind::kPrepare: {
      if (e.sql.empty()) return;
      QueryStats& q = workload_->Stats(fingerprinter_->Fingerprint(e.sql), input_, line_base_ + e.line);
      ++q.prepares;
      if (e.duration_ms > 0) {
        q.prepare_ns += DurationNs(e.duration_ms);
      }
      return;
    }
    case EventKind::kPlan: {
      std::string_view sql = e.sql;
      if (e.plan_json && JsonPlanQueryText(e.plan, &json_query_text_)) sql = json_query_text_;
      if (sql.empty()) return;
      const Shape& shape = fingerprinter_->Fingerprint(sql);
      QueryStats& q = workload_->Stats(shape, input_, line_base_ + e.line);
      ++q.plans;
      if (std::optional<double> rows = PlanRootRows(e.plan, e.plan_json)) {
        ++q.plans_with_rows;
        q.plan_rows_max = std::max(q.plan_rows_max, *rows);
      }
      if (q.kept_plans.Wants(e.duration_ms)) {
        Result<ExplainPlan> plan = e.plan_json ? ReadExplainJson(e.plan) : ReadExplainText(e.plan);
        if (plan.ok()) {
          KeptPlan kept;
          kept.duration_ms = e.duration_ms;
          kept.time_us = e.time_us;
          RenderKeptPlan(*plan, &kept);
          q.kept_plans.Add(std::move(kept));
        }
      }
      if (plans_ != nullptr) plans_->OnPlan(shape, e.plan, e.plan_json);
      return;
    }
    case EventKind::kError: {
      ++s.errors;
      std::string state = e.sqlstate.empty() ? "unknown" : std::string(e.sqlstate);
      ++s.errors_by_sqlstate[state];
      uint64_t fingerprint = 0;
      if (!e.sql.empty()) {
        QueryStats& q = workload_->Stats(fingerprinter_->Fingerprint(e.sql), input_, line_base_ + e.line);
        ++q.errors_by_sqlstate[state];
        fingerprint = q.fingerprint;
        // log_statement logged it as it began ("statement: ..."), so it was
        // counted as a call: a failed statement is an error, not a call (as
        // with log_min_duration_statement, and in pg_stat_statements).
        if (auto it = last_statement_.find(e.session); it != last_statement_.end() && it->second.query == &q) {
          RetractCall(&it->second);
        }
      }
      s.error_groups.Add(state, e.message, e.time_us, fingerprint);
      if (TimeBucket* b = s.timeline.At(e.time_us)) b->AddError(state);
      return;
    }
    case EventKind::kTempFile: {
      ++s.temp_files;
      s.temp_bytes += e.temp_bytes;
      if (TimeBucket* b = s.timeline.At(e.time_us)) {
        ++b->temp_files;
        b->temp_bytes += e.temp_bytes;
      }
      if (!e.sql.empty()) {
        QueryStats& q = workload_->Stats(fingerprinter_->Fingerprint(e.sql), input_, line_base_ + e.line);
        ++q.temp_files;
        q.temp_bytes += e.temp_bytes;
      }
      return;
    }
    case EventKind::kCheckpoint: {
      double write_ms = 0, sync_ms = 0;
      TimeBucket* b = s.timeline.At(e.time_us);
      if (b != nullptr && CheckpointTimes(e.message, &write_ms, &sync_ms)) {
        ++b->checkpoints;
        b->checkpoint_write_ns += DurationNs(write_ms);
        b->checkpoint_sync_ns += DurationNs(sync_ms);
      }
      return;
    }
    case EventKind::kAutovacuum:
    case EventKind::kAutoanalyze: {
      bool analyze = e.kind == EventKind::kAutoanalyze;
      if (TimeBucket* b = s.timeline.At(e.time_us)) ++(analyze ? b->autoanalyze : b->autovacuum);
      AddVacuumMessage(e.message, analyze, &s.vacuum);
      return;
    }
    case EventKind::kLockWait: {
      if (TimeBucket* b = s.timeline.At(e.time_us)) ++b->lock_waits;
      LockWait wait;
      if (!ParseLockWait(e.message, e.detail, &wait)) return;
      wait.time_us = e.time_us;
      if (!e.sql.empty()) {
        QueryStats& q = workload_->Stats(fingerprinter_->Fingerprint(e.sql), input_, line_base_ + e.line);
        ++q.lock_waits;
        q.lock_wait_ns += DurationNs(wait.wait_ms);
        wait.fingerprint = q.fingerprint;
      }
      s.lock_waits.Add(std::move(wait));
      return;
    }
    case EventKind::kConnection:
      if (TimeBucket* b = s.timeline.At(e.time_us)) ++b->connections;
      return;
    case EventKind::kOther:
      if (e.message.starts_with("checkpoints are occurring too frequently")) {
        if (TimeBucket* b = s.timeline.At(e.time_us)) ++b->checkpoint_warnings;
      }
      return;
    case EventKind::kDisconnection:
      if (TimeBucket* b = s.timeline.At(e.time_us)) ++b->disconnections;
      CountSession(e, &s.sessions);
      if (auto it = last_statement_.find(e.session); it != last_statement_.end()) {
        EmitPending(&it->second);
        last_statement_.erase(it);
      }
      if (statements_ && e.identity != SessionIdentity::kNone) {
        statements_->OnSessionEnd(static_cast<uint32_t>(input_), SessionHash(e.session), e.time_us);
      }
      return;
    default:
      return;
  }
}

void WorkloadBuilder::RetractCall(Pending* p) {
  --p->query->calls;
  --workload_->summary.calls;
  if (TimeBucket* b = workload_->summary.timeline.At(p->time_us)) --b->calls;
  for (Breakdown* b : p->counted) {
    if (b != nullptr) --b->calls;
  }
  if (p->hour != nullptr) --p->hour->calls;
  *p = Pending{};  // no run for the statement sequences either: it did not run
}

void WorkloadBuilder::EmitPending(Pending* p) {
  if (p->has_run && statements_ != nullptr) statements_->OnStatement(p->run);
  *p = Pending{};
}

void WorkloadBuilder::Finish() {
  for (auto& [session, p] : last_statement_) EmitPending(&p);
  last_statement_.clear();
}

void WorkloadBuilder::FillRun(const Event& e, const Shape& shape, StatementRun* out) {
  StatementRun& r = *out;
  r.time_us = e.time_us;
  r.duration_ms = e.duration_ms;
  r.fingerprint = shape.fingerprint;
  r.fallback = shape.fallback;
  r.identity = e.identity;
  r.session = e.identity == SessionIdentity::kNone ? 0 : SessionHash(e.session);
  r.values_hash = TextHash(e.sql) * 31 + TextHash(e.parameters);
  r.input = static_cast<uint32_t>(input_);
  r.line = e.line;
  r.application.assign(e.application);
  r.comment.assign(EdgeComment(e.sql));
  r.transaction_control = IsTransactionControl(e.sql);
  r.limit = LimitValue(e.sql, e.parameters);
}

std::string_view EdgeComment(std::string_view sql) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r'))
      s.remove_prefix(1);
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r' || s.back() == ';'))
      s.remove_suffix(1);
    return s;
  };
  std::string_view s = trim(sql);
  if (s.substr(0, 2) == "/*") {
    size_t end = s.find("*/", 2);
    if (end != std::string_view::npos) return trim(s.substr(2, end - 2));
  }
  if (s.size() >= 4 && s.substr(s.size() - 2) == "*/") {
    size_t start = s.rfind("/*", s.size() - 3);
    if (start != std::string_view::npos) return trim(s.substr(start + 2, s.size() - 2 - start - 2));
  }
  return {};
}

bool JsonPlanQueryText(std::string_view plan, std::string* out) {
  static constexpr std::string_view kKey = "\"Query Text\": \"";
  size_t p = plan.find(kKey);
  if (p == std::string_view::npos) return false;
  out->clear();
  for (size_t i = p + kKey.size(); i < plan.size(); ++i) {
    char c = plan[i];
    if (c == '"') return true;
    if (c != '\\' || i + 1 >= plan.size()) {
      out->push_back(c);
      continue;
    }
    char n = plan[++i];
    switch (n) {
      case 'n':
        out->push_back('\n');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'u': {
        if (i + 4 >= plan.size()) return false;
        unsigned cp = 0;
        for (int k = 1; k <= 4; ++k) {
          char h = plan[i + k];
          cp = cp * 16 + static_cast<unsigned>(h >= 'a' ? h - 'a' + 10 : h >= 'A' ? h - 'A' + 10 : h - '0');
        }
        i += 4;
        if (cp < 0x80) {
          out->push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
          out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
          out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
          out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
          out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
          out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
        break;
      }
      default:
        out->push_back(n);
        break;
    }
  }
  return false;
}

}  // namespace pgsift
