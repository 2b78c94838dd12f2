// The index advisor's live database work (analyzer/db/): the schema of a
// database, and the HypoPG proof of candidate indexes.
#pragma once

#include "pgsift/db.h"
#include "pgsift/index_model.h"
#include "pgsift/result.h"
#include "pgsift/schema.h"

namespace pgsift {

// Reads the live schema (tables, columns, indexes through pg_get_indexdef,
// foreign keys through pg_get_constraintdef, statistics) in a read-only,
// bounded session (see db.h). The password never appears in an error.
Result<Schema> ReadLiveSchema(const ConnectOptions& options);

// HypoPG proof: for each candidate and each query it helps, the generic
// plan's cost (PREPARE with plan_cache_mode = force_generic_plan, EXPLAIN
// EXECUTE with NULL arguments: no value from the logs is needed) without
// and with a hypothetical index. Sets cost_before/after, index_used and
// the candidate's saving. Fails when hypopg is not installed. Each query's
// text passes the statement gate (statement_gate.h, StatementUse::kPlanOnly)
// and is sent alone in one Parse message; a refused one is never sent
// (CandidateQuery::proof_refused, AdvisorResult::queries_refused).
Status ProveCandidates(const ConnectOptions& options, AdvisorResult* result);

}  // namespace pgsift
