// HypoPG proof of the advisor's candidates. PostgreSQL 15 has no EXPLAIN
// (GENERIC_PLAN), so each query is PREPAREd from its normalized text and
// explained with plan_cache_mode = force_generic_plan and NULL arguments:
// the generic plan does not depend on the arguments, and no value from the
// logs is ever needed or sent. Only the text plan's top cost and whether the
// hypothetical index's name appears are read: this is no plan reader.
// The normalized texts come from logs: each passes the statement gate
// (statement_gate.h) and is sent alone in one Parse message.
#include <algorithm>
#include <cctype>
#include <map>
#include <pqxx/pqxx>

#include "pgsift/db_schema.h"
#include "pgsift/statement_gate.h"
#include "plan_choice.h"
#include "server_message.h"
#include "session.h"

namespace pgsift {

namespace {

int MaxParam(const std::string& text) {
  int max = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '$' || !std::isdigit(static_cast<unsigned char>(text[i + 1]))) continue;
    int n = 0;
    size_t j = i + 1;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) n = n * 10 + (text[j++] - '0');
    max = std::max(max, n);
  }
  return max;
}

struct Plan {
  bool ok = false;
  double cost = 0;
  std::string text;
  std::string error;
  bool refused = false;  // the gate refused the text: never sent
};

// The first line of a server error, without the "ERROR:" tag, values
// redacted (db/server_message.h).
std::string FirstLine(const std::exception& e) { return db::ServerMessage(e); }

Plan Explain(pqxx::nontransaction& tx, int server_version_num, const std::string& query) {
  Plan plan;
  std::string text = query;
  while (!text.empty() && (text.back() == ';' || std::isspace(static_cast<unsigned char>(text.back()))))
    text.pop_back();
  // Only planned (EXPLAIN without ANALYZE): data-modifying statements are
  // planned, never run.
  Status gate = CheckUntrustedStatement(text, StatementUse::kPlanOnly);
  if (!gate.ok()) {
    plan.refused = true;
    plan.error = "not sent to the server: " + gate.error();
    return plan;
  }
  int params = MaxParam(text);
  std::string args;
  for (int i = 0; i < params; ++i) args += i ? ", NULL" : "(NULL";
  if (params) args += ")";
  pqxx::connection_base& conn = tx.conn();
  try {
    conn.prepare("pgsift_probe", text);
    conn.prepare_now("pgsift_probe");
  } catch (const std::exception& e) {
    plan.error = FirstLine(e);
    conn.unprepare("pgsift_probe");  // not prepared on the server: forgotten only
    return plan;
  }
  try {
    db::ChoosePlan(tx, server_version_num, "EXECUTE pgsift_probe" + args, /*generic=*/true);
    // READ ONLY explicitly: whatever a function planned here set in the
    // session (default_transaction_read_only), the next probe stays read-only.
    tx.exec(db::Own("BEGIN READ ONLY"));
    pqxx::result r = tx.exec(db::Own("EXPLAIN EXECUTE pgsift_probe" + args));
    tx.exec(db::Own("ROLLBACK"));
    for (const pqxx::row& row : r) plan.text += std::string(row[0].c_str()) + "\n";
    size_t at = plan.text.find("..");
    if (plan.text.find("(cost=") != std::string::npos && at != std::string::npos) {
      plan.cost = std::strtod(plan.text.c_str() + at + 2, nullptr);
      plan.ok = true;
    } else {
      plan.error = "no cost in the plan";
    }
  } catch (const std::exception& e) {
    plan.error = FirstLine(e);
    tx.exec(db::Own("ROLLBACK"));  // outside a transaction block: a warning only
  }
  conn.unprepare("pgsift_probe");
  return plan;
}

std::string Quote(pqxx::nontransaction& tx, const std::string& name) { return tx.quote_name(name); }

}  // namespace

Status ProveCandidates(const ConnectOptions& options, AdvisorResult* result) {
  auto prove = [&](pqxx::nontransaction& tx, const std::string& where) -> Status {
    if (tx.exec(db::Own("SELECT 1 FROM pg_extension WHERE extname = 'hypopg'")).empty()) {
      return Err(where + ": the hypopg extension is not installed in this database; CREATE EXTENSION hypopg to prove");
    }
    // auto_explain (loaded for this session, log_min_duration 0) logs even an
    // EXPLAIN's plan, and printing a hypothetical index's name from there
    // fails ("cache lookup failed for index"): turn it off for this session
    // where we may (a superuser setting; otherwise the proof goes on).
    try {
      tx.exec(db::Own("SET auto_explain.log_min_duration = -1"));
    } catch (const pqxx::sql_error&) {
    }
    int version = tx.exec1(db::Own("SELECT current_setting('server_version_num')::int"))[0].as<int>();
    tx.exec(db::Own("SELECT hypopg_reset()"));
    std::map<uint64_t, Plan> before;  // by fingerprint
    constexpr size_t kQueriesPerCandidate = 5;
    for (IndexCandidate& c : result->candidates) {
      size_t n = std::min(c.queries.size(), kQueriesPerCandidate);
      if (c.LikePrefix()) {
        // A generic plan has the pattern as a parameter, and the planner
        // turns only a constant 'abc%' into an index range: no generic plan
        // can show the index. The logged plans' evidence decides instead.
        for (size_t i = 0; i < n; ++i) {
          c.queries[i].proof_error = "LIKE with a bind parameter: a generic plan cannot use a prefix index";
        }
        c.saving = -1;
        c.proven = false;
        continue;
      }
      for (size_t i = 0; i < n; ++i) {
        CandidateQuery& q = c.queries[i];
        if (!before.count(q.fingerprint)) before[q.fingerprint] = Explain(tx, version, q.normalized);
      }
      std::string cols;
      for (size_t i = 0; i < c.columns.size(); ++i) {
        const std::string& col = c.columns[i];
        cols += (cols.empty() ? "" : ", ") + (col.find('(') != std::string::npos ? "(" + col + ")" : Quote(tx, col));
        if (i < c.opclasses.size() && !c.opclasses[i].empty()) cols += " " + c.opclasses[i];
      }
      std::string create = "CREATE INDEX ON " + Quote(tx, c.schema) + "." + Quote(tx, c.table) + " (" + cols + ")";
      // `create` holds the advisor's expression columns (deparsed from logged
      // queries) and goes as a quoted string, never as SQL: hypopg parses it
      // and keeps only CREATE INDEX statements, hypothetically (any other
      // statement in the string is skipped with a warning, never run).
      pqxx::row hypo = tx.exec1(db::Own("SELECT indexname FROM hypopg_create_index(" + tx.quote(create) + ")"));
      std::string name = hypo[0].c_str();
      c.saving = -1;
      c.proven = false;
      for (size_t i = 0; i < n; ++i) {
        CandidateQuery& q = c.queries[i];
        const Plan& b = before[q.fingerprint];
        if (!b.ok) {
          q.proof_error = b.error;
          q.proof_refused = b.refused;
          continue;
        }
        Plan a = Explain(tx, version, q.normalized);
        if (!a.ok) {
          q.proof_error = a.error;
          continue;
        }
        q.cost_before = b.cost;
        q.cost_after = a.cost;
        q.index_used = a.text.find(name) != std::string::npos;
        double saving = b.cost > 0 ? 1 - a.cost / b.cost : 0;
        if (q.index_used) {
          c.proven = true;
          c.saving = std::max(c.saving, saving);
        }
      }
      if (!c.proven) c.saving = 0;
      tx.exec(db::Own("SELECT hypopg_reset()"));
    }
    for (const auto& [fp, plan] : before) result->queries_refused += plan.refused;
    return Ok{};
  };
  return db::WithSession(options, prove, [](const std::exception& e) { return "HypoPG proof: " + FirstLine(e); });
}

}  // namespace pgsift
