// The sessions of the source-statistics mode: who may write the statistics
// (a superuser before PostgreSQL 18, the tables' owner from 18), the values'
// text I/O, and keeping the values out of the scratch server's log.
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "pq_conn.h"
#include "scratch_stats.h"
#include "session.h"

namespace pgsift::db {
namespace {

// Text I/O of the statistics values, identical on both servers.
const char* kStatsSession =
    "SET DateStyle = ISO, YMD; SET IntervalStyle = postgres; SET extra_float_digits = 3; SET TimeZone = 'UTC'; "
    "SET bytea_output = hex";

// A server setting as pg_settings has it (base unit, no unit: "-1", "0"),
// "" when the server has none (auto_explain not loaded).
std::string Setting(PGconn* c, const std::string& name) {
  PgResult r =
      Exec(c, "SELECT setting FROM pg_settings WHERE name = '" + name + "'", PGRES_TUPLES_OK, "reading " + name);
  return PQntuples(r.get()) == 1 ? PQgetvalue(r.get(), 0, 0) : "";
}
double Number(const std::string& setting) { return setting.empty() ? -1 : std::strtod(setting.c_str(), nullptr); }

// A SET this role may not be allowed (a superuser's setting): false then.
bool TrySet(PGconn* c, const std::string& sql) {
  PgResult r(PQexec(c, Own(sql).c_str()));
  return PQresultStatus(r.get()) == PGRES_COMMAND_OK;
}

bool IsSuperuser(PGconn* c) {
  PgResult r = Exec(c, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user", PGRES_TUPLES_OK,
                    "checking the scratch role");
  return PQntuples(r.get()) == 1 && std::string(PQgetvalue(r.get(), 0, 0)) == "t";
}

}  // namespace

void RequireSuperuser(PGconn* dst) {
  if (!IsSuperuser(dst)) {
    throw std::runtime_error(
        "--source-stats writes pg_class and pg_statistic of the scratch database before PostgreSQL 18, which needs a "
        "superuser role on the scratch server (the source needs only SELECT; from PostgreSQL 18 the tables' owner "
        "will do); connect as one, or drop --source-stats for the sample alone");
  }
}

bool UsesRestoreFunctions(PGconn* dst) { return PQserverVersion(dst) >= 180000; }

void QuietParameters(PGconn* dst) {
  int v = PQserverVersion(dst);
  bool auto_explain = !Setting(dst, "auto_explain.log_min_duration").empty();
  if (IsSuperuser(dst)) {
    // This session's statements are not logged at all.
    std::string sql = "SET log_statement = 'none'; SET log_min_duration_statement = -1";
    if (v >= 120000) sql += "; SET log_transaction_sample_rate = 0";
    if (v >= 130000) {
      sql +=
          "; SET log_min_duration_sample = -1; SET log_parameter_max_length = 0; "
          "SET log_parameter_max_length_on_error = 0";
    }
    if (auto_explain) sql += "; SET auto_explain.log_min_duration = -1";
    Exec(dst, sql, PGRES_COMMAND_OK, "setting up the scratch session");
    return;
  }
  // Another role: the statements may be logged, their parameters not.
  if (v >= 130000) {
    TrySet(dst, "SET log_parameter_max_length_on_error = 0");
    TrySet(dst, "SET log_parameter_max_length = 0");
  }
  if (auto_explain && v >= 160000) TrySet(dst, "SET auto_explain.log_parameter_max_length = 0");
  std::vector<std::string> logged, grant;
  if (v < 130000 || Setting(dst, "log_parameter_max_length") != "0") {
    std::string statement = Setting(dst, "log_statement");
    if (statement == "all" || statement == "mod") logged.push_back("log_statement = " + statement);
    if (Number(Setting(dst, "log_min_duration_statement")) >= 0) logged.push_back("log_min_duration_statement");
    if (v >= 130000 && Number(Setting(dst, "log_min_duration_sample")) >= 0 &&
        Number(Setting(dst, "log_statement_sample_rate")) > 0) {
      logged.push_back("log_min_duration_sample");
    }
    if (v >= 120000 && Number(Setting(dst, "log_transaction_sample_rate")) > 0) {
      logged.push_back("log_transaction_sample_rate");
    }
    if (!logged.empty()) grant.push_back("log_parameter_max_length");
  }
  // auto_explain prints the parameters from PostgreSQL 16.
  if (auto_explain && v >= 160000 && Number(Setting(dst, "auto_explain.log_min_duration")) >= 0 &&
      Setting(dst, "auto_explain.log_parameter_max_length") != "0") {
    logged.push_back("auto_explain.log_min_duration");
    grant.push_back("auto_explain.log_parameter_max_length");
  }
  if (logged.empty()) return;
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  throw std::runtime_error(
      "--source-stats sends the source's statistics values (table data) to the scratch server as query "
      "parameters, and that server logs this session's statements with their parameters (" +
      join(logged) + "), which role " + PQuser(dst) +
      " may not turn off: let it, as a superuser: GRANT SET ON PARAMETER " + join(grant) + " TO " + PQuser(dst) +
      " (or connect as a superuser)");
}

void SetUpStatsSessions(PGconn* src, PGconn* dst) {
  Exec(src, kStatsSession, PGRES_COMMAND_OK, "setting up the source session");
  Exec(dst, kStatsSession, PGRES_COMMAND_OK, "setting up the scratch session");
  QuietParameters(dst);
}

}  // namespace pgsift::db
