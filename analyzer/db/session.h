// Internal to analyzer/db/: the one way pgsift opens a server session, so
// every reader (snapshots, schema, HypoPG) gets the same read-only, bounded
// setup and the same password-free errors.
#pragma once

#include <exception>
#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgsift/db.h"

namespace pgsift::db {

// Every password of a DSN as libpq reads it (PQconninfoParse: quotes and
// escapes resolved, URI parts decoded; a dbname that is a connection string
// of its own included) and as written (an overridden earlier password=).
std::vector<std::string> PasswordsOf(std::string_view dsn);
// `text` with every password of `dsn` replaced by "***".
std::string RedactAll(std::string text, std::string_view dsn);
// `dsn` with bounded waits added where it sets none: connect_timeout
// (PGSIFT_CONNECT_TIMEOUT seconds, default 10; not with a service or
// PGCONNECT_TIMEOUT), TCP keepalives (idle 30 s, interval 10 s, 3 probes)
// and tcp_user_timeout (60 s), so a server that accepts the connection and
// never answers, or a peer that is gone, fails in bounded time. Written as
// key='value' settings (libpq's own reading of a URI); an unparseable DSN
// is returned unchanged.
std::string WithConnectDefaults(const std::string& dsn);
int DefaultConnectTimeout();
// `text` with every occurrence of `password` replaced by "***".
std::string Redact(std::string text, const std::string& password);
// Where we connect, for error messages: RedactDsn(dsn).
std::string Where(const std::string& dsn);
// Runs SessionSetupSql(options, read-only) through `exec` before anything
// else: application_name, default_transaction_read_only, statement_timeout,
// lock_timeout, idle_in_transaction_session_timeout.
void SetUpReadOnly(const ConnectOptions& options, const std::function<void(const std::string&)>& exec);
// `sql` with kPgsiftTag after its first keyword: a statement pgsift writes itself (never a
// user's statement it prepares or applies), left out of snapshots by it.
std::string Own(std::string_view sql);
// e.what(): WithSession's default reading of an exception.
std::string WhatOf(const std::exception& e);

// The one read-only session of a reader: connects to the server of `options`
// (ResolveDsn: bounded waits), runs SetUpReadOnly before anything else, then
// returns body(tx, where), where `where` is the password-free name of the
// server for messages. An exception from connecting or from `body` becomes
// Err("<where>: <describe(e)>") with every password of the DSN redacted
// (RedactError). `body` returns a Result (or Status).
template <typename Body>
auto WithSession(const ConnectOptions& options, Body&& body, std::string (*describe)(const std::exception&) = WhatOf)
    -> decltype(body(std::declval<pqxx::nontransaction&>(), std::declval<const std::string&>())) {
  std::string dsn = ResolveDsn(options);
  std::string where = Where(dsn);
  try {
    pqxx::connection conn(dsn);
    pqxx::nontransaction tx(conn);
    SetUpReadOnly(options, [&](const std::string& sql) { tx.exec(sql); });
    return std::forward<Body>(body)(tx, where);
  } catch (const std::exception& e) {
    return Err(RedactError(where + ": " + describe(e), dsn));
  }
}

}  // namespace pgsift::db
