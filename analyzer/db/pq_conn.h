// Internal to analyzer/db/: the raw libpq helpers of the sample and
// statistics modes of the scratch database (COPY streams and anyarray
// statistics need libpq below pqxx). Every error text is password-free and
// reduced to the server's first line; where a statement carries table data
// (rows, statistics values), callers use WithheldError instead.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pgsift/db.h"

namespace pgsift::db {

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// The first line of a server or pg_dump message, without "ERROR:  ".
std::string FirstLine(std::string s);

// How a child libpq program (pg_dump) is told to connect to `dsn` without
// its password on the command line, where every user of the machine can
// read it (ps, /proc/PID/cmdline): the password is returned apart, for the
// child's PGPASSWORD (a process's environment is readable by its own user only);
// every other setting stays in `dbname_arg`, a conninfo for --dbname (empty
// when nothing is left), so that libpq's precedence of explicit settings over
// a service file and the environment is unchanged. sslpassword (the client
// key's passphrase) has no variable and stays there. Throws
// std::runtime_error (without the DSN) when libpq cannot parse it.
struct ChildConnection {
  std::optional<std::string> password;
  std::string dbname_arg;
};
ChildConnection ChildConnectionFor(const std::string& dsn);

// A session on `dsn` set up by SessionSetupSql(options, writable).
Conn Connect(const std::string& dsn, const ConnectOptions& options, bool writable);

// Runs `sql` (one statement or a script); throws "what: <first line>" unless
// the result has status `want` (for PGRES_COMMAND_OK, any success).
PgResult Exec(PGconn* c, const std::string& sql, ExecStatusType want, const std::string& what);

// Runs `sql` with text parameters; throws WithheldError(what) on failure: the
// parameters are table data the server's message could quote.
PgResult ExecWithheld(PGconn* c, const std::string& sql, const std::vector<std::string>& params, ExecStatusType want,
                      const std::string& what);

// "what failed (SQLSTATE xxxxx; the server's message is withheld: it may
// quote row values)".
std::string WithheldError(const std::string& what, const PGresult* r);

}  // namespace pgsift::db
