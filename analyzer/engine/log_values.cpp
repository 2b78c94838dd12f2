// Representative bind values from server logs: one streamed pass over the
// logs, a bounded deterministic reservoir of executions per wanted
// fingerprint, then the median-duration execution's values.
#include "pgsift/log_values.h"

#include <algorithm>
#include <memory>
#include <unordered_map>

#include "pgsift/assembler.h"
#include "pgsift/fingerprint.h"
#include "pgsift/input.h"
#include "pgsift/readers.h"

namespace pgsift {
namespace {

constexpr size_t kReservoir = 256;           // executions kept per fingerprint
constexpr size_t kMaxValuesBytes = 1 << 16;  // a bigger parameter list is not kept

uint64_t SplitMix(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// FNV-1a: stable across compilers and machines (capture and check may run
// on different ones), unlike std::hash.
uint64_t Fnv(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

struct Sample {
  double duration_ms;
  uint64_t ordinal;  // execution number of its fingerprint, from 0
  std::vector<std::string> params;
};

struct Candidates {
  uint64_t seen = 0;
  uint64_t rng = 0;
  std::vector<Sample> kept;
};

class Collector : public EventSink {
 public:
  explicit Collector(const std::vector<uint64_t>& wanted) {
    for (uint64_t f : wanted) by_fp_[f].rng = f;
  }
  void OnEvent(const Event& e) override {
    if (e.kind != EventKind::kQuery || e.parameters.empty() || e.parameters.size() > kMaxValuesBytes) return;
    const Shape& shape = fp_.Fingerprint(e.sql);
    auto it = by_fp_.find(shape.fingerprint);
    if (it == by_fp_.end()) return;
    auto params = ParseLogParameters(e.parameters);
    if (!params) return;
    Candidates& c = it->second;
    uint64_t ordinal = c.seen++;
    if (c.kept.size() < kReservoir) {
      c.kept.push_back({e.duration_ms, ordinal, std::move(*params)});
      return;
    }
    uint64_t slot = SplitMix(&c.rng) % c.seen;
    if (slot < kReservoir) c.kept[slot] = {e.duration_ms, ordinal, std::move(*params)};
  }
  std::map<uint64_t, LogValues> Pick() {
    std::map<uint64_t, LogValues> out;
    for (auto& [fp, c] : by_fp_) {
      if (c.kept.empty()) continue;
      std::vector<const Sample*> order;
      for (const Sample& s : c.kept) order.push_back(&s);
      std::sort(order.begin(), order.end(), [](const Sample* a, const Sample* b) {
        return a->duration_ms != b->duration_ms ? a->duration_ms < b->duration_ms : a->ordinal < b->ordinal;
      });
      const Sample& m = *order[(order.size() - 1) / 2];
      LogValues v;
      v.params = m.params;
      v.executions = c.seen;
      uint64_t h = 0xcbf29ce484222325ULL;
      h = Fnv(h, std::to_string(c.seen) + "/" + std::to_string(m.ordinal) + "/" +
                     std::to_string(static_cast<int64_t>(m.duration_ms * 1000)));
      for (const std::string& p : m.params) h = Fnv(Fnv(h, p), std::string_view("\0", 1));
      v.tag = FingerprintHex(h);
      out[fp] = std::move(v);
    }
    return out;
  }

 private:
  Fingerprinter fp_;
  std::unordered_map<uint64_t, Candidates> by_fp_;
};

Status ReadOne(const std::string& path, const std::string& prefix_text, Assembler* assembler) {
  LogOpenOptions open;
  if (!prefix_text.empty()) open.prefix = prefix_text;
  Result<LogInput> log = OpenLog(path, open);
  if (!log.ok()) return Err(log.error());
  if (!log->prefix_error.empty()) {
    if (open.prefix || log->prefix_inferred) return Err("--prefix: " + log->prefix_error);
    return Err(path + ": " + log->prefix_error + " (pass --prefix)");
  }
  if (!log->head_error.empty()) return Err(path + ": " + log->head_error);
  std::unique_ptr<ByteSource> whole = log->TakeWhole();
  LineReader lines(whole.get());
  log->Read(&lines, assembler);
  assembler->Flush();
  if (!lines.error().empty()) return Err(path + ": " + lines.error());
  return Ok{};
}

}  // namespace

std::optional<std::vector<std::string>> ParseLogParameters(std::string_view d) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < d.size()) {
    if (d[i] != '$') return std::nullopt;
    size_t j = i + 1;
    while (j < d.size() && d[j] >= '0' && d[j] <= '9') ++j;
    if (j == i + 1 || std::stoul(std::string(d.substr(i + 1, j - i - 1))) != out.size() + 1) return std::nullopt;
    if (d.substr(j, 3) != " = ") return std::nullopt;
    j += 3;
    if (d.substr(j, 4) == "NULL") {
      out.emplace_back("NULL");
      j += 4;
    } else if (j < d.size() && d[j] == '\'') {
      std::string v = "'";
      ++j;
      bool closed = false;
      while (j < d.size()) {
        if (d[j] == '\'') {
          if (j + 1 < d.size() && d[j + 1] == '\'') {
            v += "''";
            j += 2;
            continue;
          }
          closed = true;
          ++j;
          break;
        }
        v += d[j++];
      }
      if (!closed) return std::nullopt;
      // log_parameter_max_length cuts a value and appends "...".
      if (v.size() >= 4 && v.ends_with("...")) return std::nullopt;
      out.push_back(v + "'");
    } else {
      return std::nullopt;
    }
    if (j == d.size()) break;
    if (d.substr(j, 2) != ", ") return std::nullopt;
    i = j + 2;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

Result<std::map<uint64_t, LogValues>> CollectLogValues(const LogValuesOptions& options,
                                                       const std::vector<uint64_t>& fingerprints) {
  Collector collector(fingerprints);
  for (const std::string& path : options.paths) {
    Assembler assembler(&collector);
    Status s = ReadOne(path, options.prefix, &assembler);
    if (!s.ok()) return Err(s.error());
  }
  return collector.Pick();
}

}  // namespace pgsift
