// Internal to analyzer/db/: the one way pgsift opens a server session, so
// every reader (snapshots, schema, HypoPG) gets the same read-only, bounded
// setup and the same password-free errors.
#pragma once

#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/db.h"

namespace pgsift::db {

// Every password of a DSN as libpq reads it (PQconninfoParse: quotes and
// escapes resolved, URI parts decoded; a dbname that is a connection string
// of its own included) and as written (an overridden earlier password=).
std::vector<std::string> PasswordsOf(std::string_view dsn);
// The password libpq connects with (the last password=), or "".
std::string PasswordOf(std::string_view dsn);
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
// An exception from pqxx as an error text without the password.
std::string ErrorText(const std::string& where, const std::exception& e, const std::string& password);

}  // namespace pgsift::db
