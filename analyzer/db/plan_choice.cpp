// See plan_choice.h for why a generic plan needs five warm-up EXPLAINs
// before PostgreSQL 12.
#include "plan_choice.h"

#include "session.h"

namespace pgsift::db {
namespace {

// plancache.c: custom plans before the generic one is considered.
constexpr int kCustomPlansFirst = 5;

}  // namespace

void ChoosePlan(pqxx::nontransaction& tx, int server_version_num, const std::string& execute, bool generic) {
  if (server_version_num >= kPlanCacheModeVersion) {
    tx.exec(db::Own(generic ? "SET plan_cache_mode = force_generic_plan" : "SET plan_cache_mode = force_custom_plan"));
    return;
  }
  if (!generic) return;  // a fresh statement's first executions are custom
  std::string cost = tx.exec1(db::Own("SELECT current_setting('cpu_operator_cost')"))[0].c_str();
  auto restore = [&] { tx.exec(db::Own("SELECT set_config('cpu_operator_cost', " + tx.quote(cost) + ", false)")); };
  try {
    tx.exec(db::Own("SET cpu_operator_cost = 1e9"));
    tx.exec(db::Own("BEGIN READ ONLY"));
    for (int i = 0; i < kCustomPlansFirst; ++i) tx.exec(db::Own("EXPLAIN " + execute));
    tx.exec(db::Own("ROLLBACK"));
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const std::exception&) {
    tx.exec(db::Own("ROLLBACK"));  // outside a transaction block: a warning only
    restore();
    throw;
  }
  restore();
}

void EndPlanChoice(pqxx::nontransaction& tx, int server_version_num) {
  if (server_version_num < kPlanCacheModeVersion) return;
  try {
    tx.exec(db::Own("RESET plan_cache_mode"));
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const std::exception&) {
  }
}

bool NeedsFreshStatement(int server_version_num, bool generic, int run) {
  return server_version_num < kPlanCacheModeVersion && !generic && run > 0 && run % kCustomPlansFirst == 0;
}

}  // namespace pgsift::db
