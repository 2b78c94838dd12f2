// Sample mode of the scratch database: pg_dump for the schema (pre-data
// before the rows, post-data after them), libpq COPY streams for the rows,
// so neither side holds a table in memory.
#include "scratch_sample.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "pq_conn.h"
#include "scratch_stats.h"

extern char** environ;

namespace pgsift::db {
namespace {

// A failure while rows stream: the server's message can quote a row value
// ("invalid input syntax for type ...: ..."), so only its SQLSTATE is shown.
std::string RowError(PGconn* c, const std::string& what) {
  PgResult r(PQgetResult(c));
  return WithheldError(what, r.get());
}

// pg_dump's output (stdout) of one section; its stderr's first line on failure.
// The DSN's password reaches pg_dump through its environment
// (ChildConnectionFor), not its command line.
std::string PgDump(const std::string& pg_dump, const std::string& dsn, const std::string& section) {
  std::vector<std::string> args = {pg_dump,           "--schema-only", "--no-owner",
                                   "--no-privileges", "--no-comments", "--section=" + section};
  ChildConnection conn = ChildConnectionFor(dsn);
  if (!conn.dbname_arg.empty()) args.push_back("--dbname=" + conn.dbname_arg);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The environment: ours, with the DSN's password in place of any
  // PGPASSWORD.
  std::vector<std::string> env_strings;
  if (conn.password) env_strings.push_back("PGPASSWORD=" + *conn.password);
  for (char** e = environ; *e != nullptr; ++e) {
    if (!conn.password || !std::string_view(*e).starts_with("PGPASSWORD=")) env_strings.emplace_back(*e);
  }
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pg_dump: cannot create a pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, err[0]);
  // pg_dump gets the default signal mask back (check's InterruptGuard
  // blocks SIGINT, SIGTERM and SIGHUP in this process).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, pg_dump.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(out[0]);
    close(err[0]);
    throw std::runtime_error("cannot run " + pg_dump + " (install postgresql-client, or pass --pg-dump PATH)");
  }
  std::string text, errors;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (pollfd& f : fds) {
      if (f.fd < 0 || !(f.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(f.fd, buf, sizeof buf);
      if (n <= 0) {
        close(f.fd);
        f.fd = -1;
        --open_fds;
      } else {
        (f.fd == out[0] ? text : errors).append(buf, static_cast<size_t>(n));
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(RedactError("pg_dump --section=" + section + ": " + FirstLine(errors), dsn));
  }
  // psql meta-commands (\restrict, \unrestrict of recent minor releases)
  // are not SQL.
  std::string sql;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    if (text[pos] != '\\') sql.append(text, pos, end - pos);
    pos = end;
  }
  return sql;
}

// Post-data with every foreign key NOT VALID: the child's sample references
// parent rows the parent's sample does not hold.
std::string ForeignKeysNotValid(const std::string& post, size_t* count) {
  std::string out;
  size_t start = 0;
  while (start < post.size()) {
    size_t end = post.find(";\n", start);
    if (end == std::string::npos) {
      out.append(post, start);
      break;
    }
    std::string stmt = post.substr(start, end - start);
    if (stmt.find("ALTER TABLE") != std::string::npos && stmt.find(" FOREIGN KEY ") != std::string::npos) {
      stmt += " NOT VALID";
      ++*count;
    }
    out += stmt + ";\n";
    start = end + 2;
  }
  return out;
}

// Streams the rows of `select` (on the source) into `table` (on the
// scratch database); returns how many.
uint64_t CopyRows(PGconn* src, PGconn* dst, const std::string& table, const std::string& cols,
                  const std::string& select) {
  uint64_t count = 0;
  Exec(src, "COPY (" + select + ") TO STDOUT", PGRES_COPY_OUT, "reading a sample of " + table);
  Exec(dst, "COPY " + table + " (" + cols + ") FROM STDIN", PGRES_COPY_IN, "loading the sample of " + table);
  for (;;) {
    char* row = nullptr;
    int n = PQgetCopyData(src, &row, 0);
    if (n == -1) break;
    if (n < 0) throw std::runtime_error(RowError(src, "reading a sample of " + table));
    int put = PQputCopyData(dst, row, n);
    PQfreemem(row);
    if (put != 1) throw std::runtime_error(RowError(dst, "loading the sample of " + table));
    ++count;
  }
  PgResult done_src(PQgetResult(src));
  if (PQresultStatus(done_src.get()) != PGRES_COMMAND_OK) {
    throw std::runtime_error(WithheldError("reading a sample of " + table, done_src.get()));
  }
  while (PgResult extra{PQgetResult(src)}) {
  }
  if (PQputCopyEnd(dst, nullptr) != 1) throw std::runtime_error(RowError(dst, "loading the sample of " + table));
  PgResult done_dst(PQgetResult(dst));
  if (PQresultStatus(done_dst.get()) != PGRES_COMMAND_OK) {
    throw std::runtime_error(WithheldError("loading the sample of " + table, done_dst.get()));
  }
  while (PgResult extra{PQgetResult(dst)}) {
  }
  return count;
}

}  // namespace

SampleStats LoadSample(const ConnectOptions& source, const std::string& scratch_dsn, const SampleRequest& request) {
  SampleStats stats;
  const std::string& pg_dump = request.pg_dump;
  std::string source_dsn = ResolveDsn(source);
  ConnectOptions scratch_options = source;
  Conn dst = Connect(scratch_dsn, scratch_options, /*writable=*/true);
  // Before anything is loaded: a role that cannot write the statistics, or
  // keep their values out of the server's log, fails here, not after the
  // sample. From PostgreSQL 18 the tables' owner writes them.
  bool restore = request.source_stats && UsesRestoreFunctions(dst.get());
  if (request.source_stats && !restore) RequireSuperuser(dst.get());
  if (restore) QuietParameters(dst.get());
  Exec(dst.get(), PgDump(pg_dump, source_dsn, "pre-data"), PGRES_COMMAND_OK, "loading the source's schema");
  // pg_dump's script empties search_path for its session: a fresh one.
  dst = Connect(scratch_dsn, scratch_options, /*writable=*/true);
  Conn src = Connect(source_dsn, source, /*writable=*/false);
  // Generated columns (PostgreSQL 12+) are computed on the copy, not copied.
  std::string not_generated = PQserverVersion(src.get()) >= 120000 ? " AND a.attgenerated = ''" : "";
  PgResult tables =
      Exec(src.get(),
           "SELECT format('%I.%I', n.nspname, c.relname), (SELECT string_agg(format('%I', a.attname), ', '"
           " ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT "
           "a.attisdropped" +
               not_generated +
               ") FROM pg_class c JOIN pg_namespace n ON n.oid = "
               "c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', "
               "'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE "
               "'pg\\_temp%' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
               "'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') ORDER BY 1",
           PGRES_TUPLES_OK, "listing the source's tables");
  std::string pct = std::to_string(request.percent);
  std::vector<SampledTable> sampled;
  for (int i = 0; i < PQntuples(tables.get()); ++i) {
    if (PQgetisnull(tables.get(), i, 1)) continue;
    sampled.push_back({PQgetvalue(tables.get(), i, 0), PQgetvalue(tables.get(), i, 1)});
  }
  if (request.source_stats) DisableAutovacuum(dst.get(), sampled);
  for (SampledTable& sample : sampled) {
    const std::string &table = sample.name, &cols = sample.cols;
    // REPEATABLE: the same rows on every run of an unchanged source.
    sample.rows =
        CopyRows(src.get(), dst.get(), table, cols,
                 "SELECT " + cols + " FROM ONLY " + table + " TABLESAMPLE BERNOULLI (" + pct + ") REPEATABLE (42)");
    if (sample.rows == 0 && request.source_stats) {
      // A small table the sample missed: one row, so that its heap can grow
      // and the planner see the source's row count.
      sample.rows = CopyRows(src.get(), dst.get(), table, cols, "SELECT " + cols + " FROM ONLY " + table + " LIMIT 1");
      if (sample.rows) ++stats.source_stats.one_row_tables;
    }
    stats.rows += sample.rows;
    ++stats.tables;
  }
  // The heaps grow before the indexes exist: a unique index would refuse
  // the copies.
  if (request.source_stats) GrowHeaps(src.get(), dst.get(), &sampled, request.grow_cap_mb, &stats.source_stats);
  std::string post = ForeignKeysNotValid(PgDump(pg_dump, source_dsn, "post-data"), &stats.foreign_keys_not_valid);
  Exec(dst.get(), post, PGRES_COMMAND_OK, "creating the source's indexes and constraints");
  dst = Connect(scratch_dsn, scratch_options, /*writable=*/true);
  // (A role that is not a superuser is warned about every shared catalog
  // it may not ANALYZE.)
  Exec(dst.get(), "SET client_min_messages = error; ANALYZE; RESET client_min_messages", PGRES_COMMAND_OK,
       "ANALYZE of the sample");
  if (restore) {
    RestoreSourceStatistics(src.get(), dst.get(), sampled, &stats.source_stats);
  } else if (request.source_stats) {
    CopySourceStatistics(src.get(), dst.get(), sampled, &stats.source_stats);
  }
  return stats;
}

}  // namespace pgsift::db
