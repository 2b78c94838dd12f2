// Internal to analyzer/db/: the one way pgsift opens a server session, so
// every reader (snapshots, schema, HypoPG) gets the same read-only, bounded
// setup and the same password-free errors.
#pragma once

#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

#include "pgsift/db.h"

namespace pgsift::db {

// The password in a DSN, or "" (key=value "password=..." or URI user:pw@).
std::string PasswordOf(std::string_view dsn);
// `text` with every occurrence of `password` replaced by "***".
std::string Redact(std::string text, const std::string& password);
// Where we connect, for error messages: the redacted DSN or "the PG* environment".
std::string Where(const std::string& dsn);
// Runs SessionSetupSql(options, read-only) through `exec` before anything
// else: application_name, default_transaction_read_only, statement_timeout,
// lock_timeout, idle_in_transaction_session_timeout.
void SetUpReadOnly(const ConnectOptions& options, const std::function<void(const std::string&)>& exec);
// An exception from pqxx as an error text without the password.
std::string ErrorText(const std::string& where, const std::exception& e, const std::string& password);

}  // namespace pgsift::db
