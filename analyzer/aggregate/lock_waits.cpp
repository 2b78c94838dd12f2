// Lock waits (lock_waits.h): parsing log_lock_waits messages, keeping the
// longest.
#include "pgsift/lock_waits.h"

#include <algorithm>
#include <charconv>
#include <tuple>

namespace pgsift {
namespace {

bool Longer(const LockWait& a, const LockWait& b) {
  return std::tie(b.wait_ms, a.time_us, a.pid, a.blockers, a.lock, a.fingerprint, a.queue) <
         std::tie(a.wait_ms, b.time_us, b.pid, b.blockers, b.lock, b.fingerprint, b.queue);
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "4712, 4713" from "4712, 4713. Wait queue: ..." (digits, commas, spaces).
std::string PidList(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '.' || c == '\n') break;
    if ((c >= '0' && c <= '9') || c == ',' || c == ' ') out += c;
    else return "";
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

void LockWaits::Add(LockWait w) {
  ++count;
  int64_t ns = static_cast<int64_t>(w.wait_ms * 1e6);
  wait_ns += ns;
  auto it = by_lock.find(w.lock);
  if (it == by_lock.end() && by_lock.size() >= kMaxKinds) it = by_lock.try_emplace("…").first;
  if (it == by_lock.end()) it = by_lock.try_emplace(w.lock).first;
  ++it->second.count;
  it->second.wait_ns += ns;
  if (longest.size() >= kMaxKept && !Longer(w, longest.back())) return;
  longest.insert(std::upper_bound(longest.begin(), longest.end(), w, Longer), std::move(w));
  if (longest.size() > kMaxKept) longest.pop_back();
}

void LockWaits::Merge(const LockWaits& o) {
  count += o.count;
  wait_ns += o.wait_ns;
  for (const auto& [k, v] : o.by_lock) {
    auto it = by_lock.find(k);
    if (it == by_lock.end() && by_lock.size() >= kMaxKinds) it = by_lock.try_emplace("…").first;
    if (it == by_lock.end()) it = by_lock.try_emplace(k).first;
    it->second.count += v.count;
    it->second.wait_ns += v.wait_ns;
  }
  for (const LockWait& w : o.longest) {
    if (longest.size() >= kMaxKept && !Longer(w, longest.back())) continue;
    longest.insert(std::upper_bound(longest.begin(), longest.end(), w, Longer), w);
    if (longest.size() > kMaxKept) longest.pop_back();
  }
}

bool ParseLockWait(std::string_view msg, std::string_view detail, LockWait* out) {
  // process 4715 still waiting for ShareLock on transaction 738 after 100.399 ms
  constexpr std::string_view kWaiting = " still waiting for ";
  if (!msg.starts_with("process ")) return false;
  size_t at = msg.find(kWaiting);
  size_t after = msg.rfind(" after ");
  if (at == std::string_view::npos || after == std::string_view::npos || after < at) return false;
  std::string_view pid = msg.substr(8, at - 8);
  if (!IsDigits(pid)) return false;
  out->pid = std::string(pid);
  // The lock's mode and object kind: its first three words, no ids.
  std::string_view what = msg.substr(at + kWaiting.size(), after - at - kWaiting.size());
  out->lock.clear();
  for (int word = 0; word < 3 && !what.empty(); ++word) {
    size_t sp = what.find(' ');
    std::string_view w = what.substr(0, sp);
    if (IsDigits(w) || w.starts_with("(")) break;
    out->lock += (out->lock.empty() ? "" : " ") + std::string(w);
    what = sp == std::string_view::npos ? std::string_view() : what.substr(sp + 1);
  }
  std::string_view ms = msg.substr(after + 7);
  double v = 0;
  auto [p, ec] = std::from_chars(ms.data(), ms.data() + ms.size(), v);
  out->wait_ms = ec == std::errc() ? v : 0;
  // DETAIL: "Process holding the lock: 4712. Wait queue: 4715." or
  // "Processes holding the lock: 4712, 4713. Wait queue: 4715, 4716."
  out->blockers.clear();
  out->queue = 0;
  constexpr std::string_view kHolding = "holding the lock: ";
  if (size_t h = detail.find(kHolding); detail.starts_with("Process") && h != std::string_view::npos) {
    out->blockers = PidList(detail.substr(h + kHolding.size()));
  }
  constexpr std::string_view kQueue = "Wait queue: ";
  if (size_t q = detail.find(kQueue); q != std::string_view::npos) {
    std::string queue = PidList(detail.substr(q + kQueue.size()));
    if (!queue.empty()) out->queue = static_cast<uint32_t>(std::count(queue.begin(), queue.end(), ',') + 1);
  }
  return true;
}

}  // namespace pgsift
