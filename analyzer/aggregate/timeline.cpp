#include "pgsift/timeline.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace pgsift {

void LatencyHistogram::Add(double ms) {
  int i = 0;
  if (ms > 0) {
    double x = std::floor(2 * (std::log2(ms) - kMinExponent)) + 1;
    i = x < 0 ? 0 : x >= kBins - 1 ? kBins - 1 : static_cast<int>(x);
  }
  ++bins_[static_cast<size_t>(i)];
  if (count_ == 0 || ms < min_) min_ = ms;
  if (count_ == 0 || ms > max_) max_ = ms;
  ++count_;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < bins_.size(); ++i) bins_[i] += other.bins_[i];
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  if (count_ == 0 || other.max_ > max_) max_ = other.max_;
  count_ += other.count_;
}

double LatencyHistogram::BinUpperMs(int i) {
  if (i >= kBins - 1) return INFINITY;
  return std::exp2(kMinExponent + i / 2.0);
}

double LatencyHistogram::Quantile(double q) const {
  if (count_ == 0) return 0;
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (int i = 0; i < kBins; ++i) {
    seen += bins_[static_cast<size_t>(i)];
    if (seen >= rank) return std::clamp(std::exp2(kMinExponent + (i - 0.5) / 2.0), min_, max_);
  }
  return 0;
}

void TimeBucket::Merge(const TimeBucket& o) {
  calls += o.calls;
  total_ns += o.total_ns;
  latency.Merge(o.latency);
  errors += o.errors;
  deadlocks += o.deadlocks;
  temp_files += o.temp_files;
  temp_bytes += o.temp_bytes;
  checkpoints += o.checkpoints;
  checkpoint_write_ns += o.checkpoint_write_ns;
  checkpoint_sync_ns += o.checkpoint_sync_ns;
  checkpoint_warnings += o.checkpoint_warnings;
  autovacuum += o.autovacuum;
  autoanalyze += o.autoanalyze;
  lock_waits += o.lock_waits;
  connections += o.connections;
  disconnections += o.disconnections;
  for (const auto& [state, n] : o.errors_by_sqlstate) {
    auto it = errors_by_sqlstate.find(state);
    if (it == errors_by_sqlstate.end() && errors_by_sqlstate.size() >= kMaxStates) {
      it = errors_by_sqlstate.try_emplace("other").first;
    }
    if (it == errors_by_sqlstate.end()) it = errors_by_sqlstate.try_emplace(state).first;
    it->second += n;
  }
}

void TimeBucket::AddError(std::string_view sqlstate) {
  ++errors;
  deadlocks += sqlstate == "40P01";
  auto it = errors_by_sqlstate.find(sqlstate);
  if (it == errors_by_sqlstate.end()) {
    it = errors_by_sqlstate.try_emplace(errors_by_sqlstate.size() >= kMaxStates ? "other" : std::string(sqlstate))
             .first;
  }
  ++it->second;
}

namespace {

int64_t FloorTo(int64_t secs, int64_t step) {
  int64_t r = secs % step;
  return secs - (r < 0 ? r + step : r);
}

constexpr size_t kStepCount = std::size(Timeline::kSteps);

}  // namespace

TimeBucket* Timeline::At(int64_t time_us) {
  if (time_us == kNoTime) return nullptr;
  int64_t secs = time_us >= 0 ? time_us / 1000000 : (time_us - 999999) / 1000000;
  int64_t key = FloorTo(secs, kSteps[step_index_]);
  if (last_ != nullptr && key == last_key_) return last_;
  auto [it, inserted] = buckets_.try_emplace(key);
  if (inserted && buckets_.size() > kMaxBuckets && step_index_ + 1 < kStepCount) {
    size_t s = step_index_;
    while (buckets_.size() > kMaxBuckets && s + 1 < kStepCount) CoarsenTo(++s);
    key = FloorTo(secs, kSteps[step_index_]);
    it = buckets_.find(key);
  }
  last_key_ = key;
  last_ = &it->second;
  return last_;
}

void Timeline::CoarsenTo(size_t step_index) {
  if (step_index <= step_index_) return;
  step_index_ = step_index;
  last_ = nullptr;
  std::map<int64_t, TimeBucket> coarse;
  for (const auto& [start, b] : buckets_) coarse[FloorTo(start, kSteps[step_index_])].Merge(b);
  buckets_ = std::move(coarse);
}

void Timeline::Merge(const Timeline& other) {
  last_ = nullptr;
  CoarsenTo(other.step_index_);
  for (const auto& [start, b] : other.buckets_) buckets_[FloorTo(start, kSteps[step_index_])].Merge(b);
  size_t s = step_index_;
  while (buckets_.size() > kMaxBuckets && s + 1 < kStepCount) CoarsenTo(++s);
}

void ErrorGroups::Add(std::string_view sqlstate, std::string_view message, int64_t time_us, uint64_t fingerprint) {
  std::string key = std::string(sqlstate) + '\t' + ShownServerMessage(sqlstate, message);
  auto it = groups.find(key);
  if (it == groups.end()) {
    if (groups.size() >= kMaxGroups) key = std::string(sqlstate) + "\t…";
    it = groups.try_emplace(key).first;
  }
  ErrorGroup& g = it->second;
  ++g.count;
  if (time_us != kNoTime) {
    if (g.first_us == kNoTime || time_us < g.first_us) g.first_us = time_us;
    if (g.last_us == kNoTime || time_us > g.last_us) g.last_us = time_us;
  }
  if (g.shapes.size() >= kMaxShapes && !g.shapes.contains(fingerprint)) fingerprint = 0;
  ++g.shapes[fingerprint];
}

void ErrorGroups::Merge(const ErrorGroups& other) {
  for (const auto& [key, o] : other.groups) {
    auto it = groups.find(key);
    if (it == groups.end()) {
      std::string k = key;
      if (groups.size() >= kMaxGroups) k = key.substr(0, key.find('\t')) + "\t…";
      it = groups.try_emplace(k).first;
    }
    ErrorGroup& g = it->second;
    g.count += o.count;
    if (o.first_us != kNoTime && (g.first_us == kNoTime || o.first_us < g.first_us)) g.first_us = o.first_us;
    if (o.last_us != kNoTime && (g.last_us == kNoTime || o.last_us > g.last_us)) g.last_us = o.last_us;
    for (const auto& [shape, n] : o.shapes) {
      uint64_t fp = g.shapes.size() >= kMaxShapes && !g.shapes.contains(shape) ? 0 : shape;
      g.shapes[fp] += n;
    }
  }
}

namespace {

template <typename Map, typename Value>
void AddCapped(Map* m, std::string_view key, size_t cap, const Value& v) {
  auto it = m->find(std::string(key));
  if (it == m->end()) it = m->try_emplace(m->size() >= cap ? std::string("…") : std::string(key)).first;
  it->second.sessions += v.sessions;
  it->second.total_ns += v.total_ns;
}

}  // namespace

void SessionStats::Merge(const SessionStats& o) {
  sessions += o.sessions;
  durations.Merge(o.durations);
  total_ns += o.total_ns;
  for (auto [mine, theirs] : {std::pair{&by_database, &o.by_database}, std::pair{&by_user, &o.by_user},
                              std::pair{&by_application, &o.by_application}, std::pair{&by_host, &o.by_host}}) {
    for (const auto& [k, c] : *theirs) AddCapped(mine, k, kMaxKeys, c);
  }
}

void VacuumStats::Merge(const VacuumStats& o) {
  for (const auto& [name, t] : o.tables) {
    auto it = tables.find(name);
    if (it == tables.end()) it = tables.try_emplace(tables.size() >= kMaxTables ? std::string("…") : name).first;
    Table& m = it->second;
    m.vacuums += t.vacuums;
    m.analyzes += t.analyzes;
    m.elapsed_ns += t.elapsed_ns;
    m.removed_tuples += t.removed_tuples;
    m.buffer_hits += t.buffer_hits;
    m.buffer_misses += t.buffer_misses;
    m.buffer_dirtied += t.buffer_dirtied;
  }
}

namespace {

// The number right after `key` in `s` (from `from` on); false if absent.
template <typename T>
bool NumberAfter(std::string_view s, std::string_view key, T* out, size_t from = 0) {
  size_t p = s.find(key, from);
  if (p == std::string_view::npos) return false;
  const char* b = s.data() + p + key.size();
  return std::from_chars(b, s.data() + s.size(), *out).ec == std::errc();
}

}  // namespace

double SessionTimeMs(std::string_view m) {
  size_t p = m.find("session time: ");
  if (p == std::string_view::npos) return -1;
  const char* c = m.data() + p + 14;
  const char* end = m.data() + m.size();
  uint64_t h = 0, min = 0;
  double sec = 0;
  auto r = std::from_chars(c, end, h);
  if (r.ec != std::errc() || r.ptr == end || *r.ptr != ':') return -1;
  r = std::from_chars(r.ptr + 1, end, min);
  if (r.ec != std::errc() || r.ptr == end || *r.ptr != ':') return -1;
  r = std::from_chars(r.ptr + 1, end, sec);
  if (r.ec != std::errc()) return -1;
  return (static_cast<double>(h) * 3600 + static_cast<double>(min) * 60 + sec) * 1000;
}

bool CheckpointTimes(std::string_view m, double* write_ms, double* sync_ms) {
  if (!m.starts_with("checkpoint complete") && !m.starts_with("restartpoint complete")) return false;
  double w = 0, s = 0;
  if (!NumberAfter(m, "write=", &w) || !NumberAfter(m, "sync=", &s)) return false;
  *write_ms = w * 1000;
  *sync_ms = s * 1000;
  return true;
}

void AddVacuumMessage(std::string_view m, bool analyze, VacuumStats* stats) {
  size_t p = m.find("of table \"");
  if (p == std::string_view::npos) return;
  size_t e = m.find('"', p + 10);
  if (e == std::string_view::npos) return;
  std::string name(m.substr(p + 10, e - p - 10));
  auto it = stats->tables.find(name);
  if (it == stats->tables.end()) {
    it = stats->tables.try_emplace(stats->tables.size() >= VacuumStats::kMaxTables ? std::string("…") : name).first;
  }
  VacuumStats::Table& t = it->second;
  (analyze ? t.analyzes : t.vacuums) += 1;
  uint64_t n = 0;
  if (!analyze && NumberAfter(m, "tuples: ", &n)) t.removed_tuples += n;
  if (size_t b = m.find("buffer usage: "); b != std::string_view::npos) {
    if (NumberAfter(m, "buffer usage: ", &n, b)) t.buffer_hits += n;
    size_t comma = m.find(", ", b);
    if (comma != std::string_view::npos && NumberAfter(m, ", ", &n, comma)) t.buffer_misses += n;
    size_t comma2 = comma == std::string_view::npos ? comma : m.find(", ", comma + 2);
    if (comma2 != std::string_view::npos && NumberAfter(m, ", ", &n, comma2)) t.buffer_dirtied += n;
  }
  double secs = 0;
  if (NumberAfter(m, "elapsed: ", &secs)) t.elapsed_ns += static_cast<int64_t>(secs * 1e9 + 0.5);
}

}  // namespace pgsift
