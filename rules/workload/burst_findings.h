// Shared by the session-burst rules (n_plus_one, repeated_identical_query):
// the facts every burst finding shows. No literal or parameter value: query
// texts are normalized, code tags are filtered (session_sequences.h).
#pragma once

#include <string>

#include "pgsift/finding.h"
#include "pgsift/session_sequences.h"
#include "pgsift/workload.h"

namespace pgsift::burst {

// A finding for `group` with rule id, fingerprint (the child), key and the
// common facts (child, parent, bursts, sizes, time, share, applications,
// code tags, session identity, example, estimated saving). The caller adds
// severity, message, help and fix.
Finding GroupFinding(const std::string& rule_id, const BurstGroup& group, const Workload& workload);

// Whether the group's child and the other queries of its cycle are all
// reads (and, with `no_pages`, none reads a page of a longer result).
bool AllReads(const BurstGroup& group, const Workload& workload, bool no_pages);

// ", alternating with 1 other query" or "".
std::string AlternatesSuffix(const BurstGroup& group);

// "12.345 ms"
std::string Ms(double ms);

}  // namespace pgsift::burst
