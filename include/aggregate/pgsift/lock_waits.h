// Lock waits as log_lock_waits reports them ("process 4715 still waiting for
// ShareLock on transaction 738 after 100.399 ms", DETAIL "Process holding
// the lock: 4712. Wait queue: 4715."): the longest waits with who held the
// lock, and totals per lock kind. Bounded; merges exactly (the kept waits
// are the first kMaxKept of a total order, so reading order does not matter).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pgsift {

struct LockWait {
  int64_t time_us = 0;
  double wait_ms = 0;        // how long it had waited when logged
  std::string lock;          // mode and object kind: "ShareLock on transaction" (no ids)
  std::string pid;           // the waiting process
  std::string blockers;      // "4712" or "4712, 4713": the processes holding the lock, "" if not logged
  uint32_t queue = 0;        // processes in the wait queue
  uint64_t fingerprint = 0;  // the waiting statement's shape (0: not logged)
};

struct LockWaits {
  static constexpr size_t kMaxKept = 50;
  static constexpr size_t kMaxKinds = 64;  // lock kinds kept apart; later ones under "…"
  struct Kind {
    uint64_t count = 0;
    int64_t wait_ns = 0;
  };
  uint64_t count = 0;
  int64_t wait_ns = 0;
  std::map<std::string, Kind> by_lock;
  std::vector<LockWait> longest;  // longest first
  void Add(LockWait wait);
  void Merge(const LockWaits& other);
};

// Reads the message and DETAIL of a lock wait. False when the message is
// not one (then `out` is unspecified).
bool ParseLockWait(std::string_view message, std::string_view detail, LockWait* out);

}  // namespace pgsift
