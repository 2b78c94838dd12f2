// The gate between untrusted SQL text and a server (implemented in
// analyzer/sql/statement_gate.cpp, the libpg_query side).
//
// Every statement text that came from a server log, pg_stat_statements, a
// queries file or a baseline file is untrusted: any database user can get
// any text into a log (the server logs even the statements it rejects).
// Before such a text reaches a server it passes CheckUntrustedStatement, and
// it is then sent alone in one Parse message of the extended protocol (a
// Parse message holds one statement; never string-concatenated into a
// simple query). Sample parameter values pass ParseUntrustedLiteral and are
// re-quoted by the connection, never sent as written.
//
// All functions are pure and thread-safe; reasons never quote the text.
#pragma once

#include <string>
#include <string_view>

#include "pgsift/result.h"

namespace pgsift {

// What the caller does with the statement, which decides whether
// INSERT/UPDATE/DELETE/MERGE (and SELECT ... FOR UPDATE/SHARE) are allowed.
enum class StatementUse {
  // Executed for its result: SELECT, VALUES, WITH ... SELECT, TABLE only.
  kExecuted,
  // Only planned (EXPLAIN without ANALYZE, a generic plan): the statement
  // never runs, so data-modifying statements are allowed.
  kPlanOnly,
  // Planned, and maybe run under EXPLAIN ANALYZE, always inside a
  // transaction the caller rolls back: data-modifying statements are allowed.
  kRolledBack,
};

// Accepts exactly one statement of an allowed kind:
// - SELECT, VALUES, TABLE, WITH ... SELECT (no data-modifying WITH, no
//   SELECT ... INTO);
// - with kPlanOnly or kRolledBack also INSERT, UPDATE, DELETE, MERGE (not on
//   a catalog: pg_catalog, information_schema, pg_* relations) and locking
//   clauses (FOR UPDATE/SHARE);
// and refuses: text that does not parse, is empty or holds a NUL byte; more
// than one statement (the parser decides, so ';' in comments, strings and
// dollar quotes is no separator and a hidden one is found); transaction
// control and every utility statement (SET, DO, COPY, CALL, PREPARE,
// EXECUTE, LOCK, EXPLAIN, ...); and anywhere in the tree a call of a
// function on the deny list (DeniedFunctionReason). Returns the reason of
// a refusal, without any text from the statement.
Status CheckUntrustedStatement(std::string_view sql, StatementUse use);

// Why a function of this name may not be called by an untrusted statement,
// or "" when it may. The name is compared case-insensitively; `schema` (""
// when unqualified) is ignored except that every function of the schemas
// dblink, cron and pg_background is denied. The deny list (statement_gate.cpp)
// holds: functions that change settings or state (set_config, nextval,
// setval, pg_advisory*_lock*, pg_notify, pg_stat_reset*, hypopg_*), that act
// on other sessions or the server (pg_terminate_backend, pg_cancel_backend,
// pg_reload_conf, pg_rotate_logfile, pg_switch_wal, pg_promote, backups,
// replication slots and origins, pg_wal_replay_*), that read or write server
// files (pg_read_file, pg_read_binary_file, pg_ls_*, pg_stat_file,
// lo_* large objects, adminpack's pg_file_*), that run SQL given as text
// (query_to_xml, cursor_to_xml, table_to_xml, schema_to_xml,
// database_to_xml and their *xmlschema forms, ts_stat, ts_rewrite,
// xpath_table, dblink*, pg_background_*, cron.*), index maintenance that
// writes (brin_summarize_*, brin_desummarize_range, gin_clean_pending_list)
// and pg_sleep*. A deny list cannot know functions, operators, views or
// triggers that users created: those run with the connecting role's rights. txid_current and pg_current_xact_id are
// allowed (inside a transaction that is rolled back, an xid is harmless).
std::string DeniedFunctionReason(std::string_view schema, std::string_view name);

// One SQL literal: what a sample parameter value may be.
struct SqlLiteral {
  enum class Kind { kNull, kNumber, kString, kBool };
  Kind kind = Kind::kNull;
  // kNumber: the number as the parser read it (digits, sign, '.', exponent);
  // kString: the string's value (unquoted, escapes resolved); kBool: "true"
  // or "false".
  std::string text;
};

// Accepts exactly one literal: NULL, a number (with a sign), a quoted string
// ('..', E'..', $$..$$, U&'..'), TRUE or FALSE. Anything else (an
// expression, a cast, a function call, a second statement) is refused with
// a reason that does not quote the text.
Result<SqlLiteral> ParseUntrustedLiteral(std::string_view text);

}  // namespace pgsift
