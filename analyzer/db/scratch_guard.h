// Internal to analyzer/db/: what keeps the scratch database of `pgsift
// check` from outliving its run or reaching past itself.
// - InterruptGuard: SIGINT, SIGTERM and SIGHUP during a run end the scratch
//   database's sessions (from a watcher thread, never from a signal handler:
//   libpq is not async-signal-safe) so the run unwinds and drops it.
// - The marker comment of every scratch database pgsift creates, and which
//   of them are stale (their process is gone).
// - The statements that drop a scratch database on each server version.
// - The migration statements that act on the whole cluster.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pgsift/db.h"
#include "pgsift/migration_model.h"

namespace pgsift::db {

// While alive, SIGINT, SIGTERM and SIGHUP are blocked in this thread (and in
// threads it starts) and a watcher thread takes them: it records the signal
// (InterruptSignal) and ends every session on the watched database through
// its own connection, so whatever the run is waiting for fails at once.
// Children started meanwhile must reset their signal mask (posix_spawn
// attribute POSIX_SPAWN_SETSIGMASK).
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  // The database whose sessions a signal ends, through `admin_dsn` (a
  // connection to another database of the same server).
  void Watch(const std::string& admin_dsn, const std::string& database, const ConnectOptions& options);

 private:
  void Run();
  std::thread watcher_;
  sigset_t previous_{};
};

// The signal an InterruptGuard received (0: none).
int InterruptSignal();

// The comment pgsift puts on each scratch database it creates.
inline constexpr const char* kScratchMarker = "pgsift:scratch";
std::string ScratchComment(pid_t pid, const std::string& host);

// What a database comment says about the database: disposable (the user's
// `pgsift:scratch`, or pgsift's own marker), and for pgsift's own, the
// creating process.
struct ScratchMark {
  bool disposable = false;
  bool created_by_pgsift = false;
  long pid = 0;
  std::string host;
};
ScratchMark ReadScratchMark(const std::string& comment);

// A pgsift-created scratch database on this host whose creator is gone:
// `alive(pid)` says whether a process still runs; our own pid counts as gone
// (we have not created our database yet: a namesake is a leftover).
bool IsStale(const ScratchMark& mark, const std::string& host, pid_t self, bool (*alive)(pid_t));
bool ProcessAlive(pid_t pid);
std::string HostName();

// The statements that drop database `name` (already quoted as an
// identifier; `literal`: its name as a string literal) on a server of
// version server_version_num: WITH (FORCE) from PostgreSQL 13, before that
// the other sessions ended with pg_terminate_backend, then a plain DROP.
std::vector<std::string> DropDatabaseSql(int server_version_num, const std::string& name, const std::string& literal);

// "CREATE ROLE" etc. when `s` acts on the whole cluster (roles, role
// settings and membership, ALTER SYSTEM, tablespaces, databases,
// subscriptions, comments and labels on those), else nullopt.
std::optional<std::string> ClusterWideStatement(const MigrationStatement& s);

}  // namespace pgsift::db
