// Internal to analyzer/db/: which plan an EXPLAIN EXECUTE of a prepared
// statement shows, on every server version. From PostgreSQL 12
// plan_cache_mode forces it. Before 12 the plan cache decides
// (plancache.c, choose_custom_plan): a statement's first five executions get
// custom plans, the sixth its generic plan when that costs less than the
// custom plans' average, which includes a planning charge of
// 1000 x cpu_operator_cost per relation. So there a custom plan is a freshly
// prepared statement's, and a generic plan comes after five EXPLAINs (never
// executed) under a huge cpu_operator_cost, which only those five averages
// see: the same generic plan the server would cache, planned under the
// session's own settings.
#pragma once

#include <pqxx/pqxx>
#include <string>

namespace pgsift::db {

// The first server_version_num with plan_cache_mode.
inline constexpr int kPlanCacheModeVersion = 120000;

// Makes the next `EXPLAIN ... <execute>` use the generic plan (`generic`) or
// a custom plan of the arguments. `execute` is "EXECUTE name(args)" of a
// statement prepared since its last execution; before 12 the five
// warm-up EXPLAINs run in a read-only transaction that is rolled back.
// Throws what the server throws; the session's cpu_operator_cost is
// restored either way.
void ChoosePlan(pqxx::nontransaction& tx, int server_version_num, const std::string& execute, bool generic);

// Undoes ChoosePlan's session setting (plan_cache_mode; nothing before 12).
// Never throws but for a broken connection.
void EndPlanChoice(pqxx::nontransaction& tx, int server_version_num);

// Before 12, the sixth execution of a statement may switch to its generic
// plan: a custom plan's run `run` (0-based) then needs the statement
// prepared afresh.
bool NeedsFreshStatement(int server_version_num, bool generic, int run);

}  // namespace pgsift::db
