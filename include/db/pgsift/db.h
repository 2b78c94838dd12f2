// Live database access (analyzer/db/ is the only code that includes pqxx).
// Every session pgsift opens is read-only and bounded: it sets
// default_transaction_read_only=on, statement_timeout, lock_timeout,
// idle_in_transaction_session_timeout and application_name=pgsift before
// running anything. Passwords never appear in a returned error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pgsift/pgss.h"
#include "pgsift/result.h"

namespace pgsift {

struct ConnectOptions {
  // libpq connection string or URI. Empty: $DATABASE_URL, else libpq's PG*
  // environment variables.
  std::string dsn;
  int statement_timeout_ms = 60000;
  int lock_timeout_ms = 2000;
  // pg_stat_statements is server-wide. By default only the connected
  // database's entries are kept, so that one snapshot per database (a fleet
  // of clinic databases on one server) counts each statement once.
  bool all_databases = false;
  // false: database, table and index statistics only; pg_stat_statements
  // need not be installed.
  bool statements = true;
  // Read pg_stat_statements when installed, else go on without it (entries
  // empty, pgss_version ""), as lint --dsn does.
  bool statements_optional = false;
  // Keep pg_stat_statements rows of pgsift's own statements (kPgsiftTag);
  // by default they are left out and counted (Snapshot::pgsift_left_out).
  bool include_pgsift = false;
};

// Where a DSN connects, for messages: its settings as libpq parses them
// (PQconninfoParse), written key=value, passwords as "***" (also inside a
// dbname that is a connection string); "the PG* environment" when it sets
// nothing; a fixed text when libpq cannot parse it.
std::string RedactDsn(std::string_view dsn);

// The connection string to use: options.dsn, else $DATABASE_URL, else ""
// (libpq reads PG* variables), with bounded connect and TCP timeouts added
// where it sets none (db::WithConnectDefaults).
std::string ResolveDsn(const ConnectOptions& options);

// Names the command for the sessions' application_name ('pgsift/<command>';
// 'pgsift' until set). The CLI calls it once, before any session.
void SetPgsiftCommand(std::string_view command);
std::string PgsiftApplicationName();

// The statements every pgsift session runs before anything else (each
// starting with kPgsiftTag, pgsift/own_statements.h):
// application_name, statement_timeout, lock_timeout,
// idle_in_transaction_session_timeout, standard_conforming_strings = on and
// client_encoding = UTF8 (the server must read a statement the way the
// statement gate's parser did: with standard_conforming_strings off, 'a\' ends
// no string for the server, and a client encoding such as SJIS can hide a
// quote inside a multibyte character) and, unless `writable` (only a scratch
// database pgsift was told it may change), default_transaction_read_only.
// The session that applies a migration file resets the two lexer settings to
// the database's own (RESET), as the migration tool would run it.
std::vector<std::string> SessionSetupSql(const ConnectOptions& options, bool writable);

// `message` with the DSN's password replaced by "***", trailing newlines
// dropped.
std::string RedactError(std::string message, std::string_view dsn);

// Reads pg_stat_statements (never resets it; any server version 9.5-17, the
// columns found at run time; the connected database's rows unless
// all_databases), pg_stat_statements_info (14+), the current
// database's size, table and index statistics, and a few settings.
Result<Snapshot> TakeSnapshot(const ConnectOptions& options);

}  // namespace pgsift
