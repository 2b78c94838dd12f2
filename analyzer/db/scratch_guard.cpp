// The scratch database's guards (see scratch_guard.h).
#include "scratch_guard.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <ctime>
#include <map>
#include <mutex>
#include <pqxx/pqxx>

#include "session.h"

namespace pgsift::db {

namespace {

std::atomic<int> g_signal{0};
std::atomic<bool> g_stop{false};

struct Watched {
  std::mutex mu;
  std::string admin_dsn, database;
  ConnectOptions options;
};
Watched& WatchedDb() {
  static Watched w;
  return w;
}

// SIGINT, SIGTERM and SIGHUP, less those this process was started with
// ignored (nohup, a background job of a shell): those stay ignored.
sigset_t InterruptSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction now {};
    if (sigaction(sig, nullptr, &now) == 0 && now.sa_handler == SIG_IGN) continue;
    sigaddset(&set, sig);
  }
  return set;
}
sigset_t g_set;

// Ends every other session on the watched database (pgsift's own: the run
// then fails and unwinds to its cleanup).
void EndSessions() {
  std::string dsn, db;
  ConnectOptions options;
  {
    std::lock_guard<std::mutex> lock(WatchedDb().mu);
    dsn = WatchedDb().admin_dsn;
    db = WatchedDb().database;
    options = WatchedDb().options;
  }
  if (db.empty()) return;
  try {
    pqxx::connection conn(dsn);
    pqxx::nontransaction tx(conn);
    for (const std::string& sql : SessionSetupSql(options, /*writable=*/true)) tx.exec(sql);
    tx.exec(db::Own("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " + tx.quote(db) +
                    " AND pid <> pg_backend_pid()"));
  } catch (const std::exception&) {
    // The run's own cleanup reports what it cannot drop.
  }
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_stop = false;
  g_set = InterruptSignals();
  pthread_sigmask(SIG_BLOCK, &g_set, &previous_);
  watcher_ = std::thread([this] { Run(); });
}

InterruptGuard::~InterruptGuard() {
  g_stop = true;
  watcher_.join();
  {
    std::lock_guard<std::mutex> lock(WatchedDb().mu);
    WatchedDb().database.clear();
    WatchedDb().admin_dsn.clear();
  }
  // A signal taken by the watcher is not re-delivered: the caller reads
  // InterruptSignal() and ends the process after its cleanup.
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

void InterruptGuard::Watch(const std::string& admin_dsn, const std::string& database, const ConnectOptions& options) {
  {
    std::lock_guard<std::mutex> lock(WatchedDb().mu);
    WatchedDb().admin_dsn = admin_dsn;
    WatchedDb().database = database;
    WatchedDb().options = options;
  }
  if (g_signal != 0) EndSessions();
}

void InterruptGuard::Run() {
  while (!g_stop) {
    timespec wait{0, 100 * 1000 * 1000};
    int sig = sigtimedwait(&g_set, nullptr, &wait);
    if (sig <= 0) continue;
    int none = 0;
    g_signal.compare_exchange_strong(none, sig);
    EndSessions();
  }
}

int InterruptSignal() { return g_signal; }

std::string ScratchComment(pid_t pid, const std::string& host) {
  return std::string(kScratchMarker) + " pid=" + std::to_string(pid) + " host=" + host;
}

ScratchMark ReadScratchMark(const std::string& comment) {
  ScratchMark mark;
  std::string_view text = comment;
  if (!text.starts_with(kScratchMarker)) return mark;
  std::string_view rest = text.substr(std::string_view(kScratchMarker).size());
  if (rest.empty()) {
    mark.disposable = true;
    return mark;
  }
  if (rest.front() != ' ') return mark;  // "pgsift:scratchy" is not ours
  mark.disposable = true;
  constexpr std::string_view kPid = " pid=", kHost = " host=";
  if (!rest.starts_with(kPid)) return mark;
  rest.remove_prefix(kPid.size());
  size_t digits = 0;
  long pid = 0;
  while (digits < rest.size() && digits < 10 && rest[digits] >= '0' && rest[digits] <= '9') {
    pid = pid * 10 + (rest[digits] - '0');
    ++digits;
  }
  rest.remove_prefix(digits);
  if (digits == 0 || !rest.starts_with(kHost)) return mark;
  rest.remove_prefix(kHost.size());
  if (rest.empty()) return mark;
  mark.created_by_pgsift = true;
  mark.pid = pid;
  mark.host = std::string(rest);
  return mark;
}

bool ProcessAlive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

std::string HostName() {
  char name[256] = {0};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

bool IsStale(const ScratchMark& mark, const std::string& host, pid_t self, bool (*alive)(pid_t)) {
  if (!mark.created_by_pgsift || mark.host != host || mark.pid <= 0) return false;
  if (mark.pid == self) return true;
  return !alive(static_cast<pid_t>(mark.pid));
}

std::vector<std::string> DropDatabaseSql(int server_version_num, const std::string& name, const std::string& literal) {
  if (server_version_num >= 130000) return {"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"};
  return {"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " + literal +
              " AND pid <> pg_backend_pid()",
          "DROP DATABASE IF EXISTS " + name};
}

std::optional<std::string> ClusterWideStatement(const MigrationStatement& s) {
  static const std::map<std::string, std::string> kKinds = {
      {"CreateRoleStmt", "CREATE ROLE"},
      {"AlterRoleStmt", "ALTER ROLE"},
      {"AlterRoleSetStmt", "ALTER ROLE ... SET"},
      {"DropRoleStmt", "DROP ROLE"},
      {"GrantRoleStmt", "GRANT/REVOKE role membership"},
      {"ReassignOwnedStmt", "REASSIGN OWNED"},
      {"AlterSystemStmt", "ALTER SYSTEM"},
      {"CreateTableSpaceStmt", "CREATE TABLESPACE"},
      {"DropTableSpaceStmt", "DROP TABLESPACE"},
      {"AlterTableSpaceOptionsStmt", "ALTER TABLESPACE"},
      {"CreatedbStmt", "CREATE DATABASE"},
      {"DropdbStmt", "DROP DATABASE"},
      {"AlterDatabaseStmt", "ALTER DATABASE"},
      {"AlterDatabaseSetStmt", "ALTER DATABASE ... SET"},
      {"AlterDatabaseRefreshCollStmt", "ALTER DATABASE ... REFRESH COLLATION VERSION"},
      {"CreateSubscriptionStmt", "CREATE SUBSCRIPTION"},
      {"AlterSubscriptionStmt", "ALTER SUBSCRIPTION"},
      {"DropSubscriptionStmt", "DROP SUBSCRIPTION"},
  };
  if (auto it = kKinds.find(s.kind); it != kKinds.end()) return it->second;
  // Statements on shared objects: renames, owners, comments, security
  // labels and privileges of roles, databases, tablespaces, subscriptions.
  static const std::map<std::string, std::string> kShared = {{"OBJECT_ROLE", "role"},
                                                             {"OBJECT_DATABASE", "database"},
                                                             {"OBJECT_TABLESPACE", "tablespace"},
                                                             {"OBJECT_SUBSCRIPTION", "subscription"}};
  static const std::map<std::string, std::pair<std::string, std::string>> kOn = {
      {"RenameStmt", {"renameType", "ALTER ... RENAME of a "}},
      {"AlterOwnerStmt", {"objectType", "ALTER ... OWNER of a "}},
      {"CommentStmt", {"objtype", "COMMENT ON a "}},
      {"SecLabelStmt", {"objtype", "SECURITY LABEL ON a "}},
      {"GrantStmt", {"objtype", "GRANT/REVOKE on a "}},
  };
  auto on = kOn.find(s.kind);
  if (on == kOn.end() || !s.tree.is_object() || !s.tree.contains(s.kind)) return std::nullopt;
  const nlohmann::json& node = s.tree[s.kind];
  if (!node.is_object() || !node.contains(on->second.first) || !node[on->second.first].is_string()) return std::nullopt;
  auto shared = kShared.find(node[on->second.first].get<std::string>());
  if (shared == kShared.end()) return std::nullopt;
  return on->second.second + shared->second;
}

}  // namespace pgsift::db
