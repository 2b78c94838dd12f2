// Raw libpq helpers of the scratch database's sample and statistics modes.
#include "pq_conn.h"

#include <stdexcept>
#include <string_view>

#include "server_message.h"
#include "session.h"

namespace pgsift::db {

std::string FirstLine(std::string s) {
  constexpr std::string_view kPgDump = "pg_dump: error: ";
  if (s.starts_with(kPgDump)) s.erase(0, kPgDump.size());
  return ServerMessage(s, "", false);
}

ChildConnection ChildConnectionFor(const std::string& dsn) {
  ChildConnection out;
  if (dsn.empty()) return out;
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &err);
  if (options == nullptr) {
    // libpq's reason can quote a piece of the DSN (`missing "=" after "..."`),
    // which may be a piece of the password: not shown.
    PQfreemem(err);
    throw std::runtime_error("the source DSN is not a libpq connection string (libpq cannot parse it)");
  }
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    if (std::string_view(o->keyword) == "password") {
      out.password = o->val;
      continue;
    }
    // The default pgsift adds (WithConnectDefaults) stays ours: pg_dump
    // before 12 (for a PostgreSQL 10 or 11 source) does not know it.
    if (std::string_view(o->keyword) == "tcp_user_timeout" && std::string_view(o->val) == "60000") continue;
    // keyword='value', quotes and backslashes escaped (libpq's conninfo).
    std::string value = "'";
    for (const char* c = o->val; *c != 0; ++c) {
      if (*c == '\\' || *c == '\'') value.push_back('\\');
      value.push_back(*c);
    }
    value.push_back('\'');
    if (!out.dbname_arg.empty()) out.dbname_arg.push_back(' ');
    out.dbname_arg += std::string(o->keyword) + "=" + value;
  }
  PQconninfoFree(options);
  return out;
}

Conn Connect(const std::string& dsn, const ConnectOptions& options, bool writable) {
  Conn c(PQconnectdb(dsn.c_str()));
  if (!c || PQstatus(c.get()) != CONNECTION_OK) {
    throw std::runtime_error(RedactError(FirstLine(c ? PQerrorMessage(c.get()) : "out of memory"), dsn));
  }
  for (const std::string& sql : SessionSetupSql(options, writable)) {
    PgResult r(PQexec(c.get(), sql.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
      throw std::runtime_error(FirstLine(PQerrorMessage(c.get())));
    }
  }
  return c;
}

PgResult Exec(PGconn* c, const std::string& sql, ExecStatusType want, const std::string& what) {
  PgResult r(PQexec(c, Own(sql).c_str()));
  ExecStatusType got = PQresultStatus(r.get());
  // A script's result is its last statement's: any success will do.
  bool script_ok = want == PGRES_COMMAND_OK && (got == PGRES_TUPLES_OK || got == PGRES_EMPTY_QUERY);
  if (got != want && !script_ok) throw std::runtime_error(what + ": " + FirstLine(PQerrorMessage(c)));
  return r;
}

std::string WithheldError(const std::string& what, const PGresult* r) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  return what + " failed (SQLSTATE " + (state ? state : "unknown") +
         "; the server's message is withheld: it may quote row values)";
}

PgResult ExecWithheld(PGconn* c, const std::string& sql, const std::vector<std::string>& params, ExecStatusType want,
                      const std::string& what) {
  std::vector<const char*> values;
  for (const std::string& p : params) values.push_back(p.c_str());
  PgResult r(
      PQexecParams(c, Own(sql).c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
  ExecStatusType got = PQresultStatus(r.get());
  if (got != want && !(want == PGRES_COMMAND_OK && got == PGRES_TUPLES_OK)) {
    throw std::runtime_error(WithheldError(what, r.get()));
  }
  return r;
}

}  // namespace pgsift::db
