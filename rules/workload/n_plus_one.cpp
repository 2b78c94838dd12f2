// workload-n-plus-one: a list query followed, in the same session, by a burst
// of one lookup per row with different values. See n_plus_one.md.
#include <fmt/format.h>

#include <memory>

#include "burst_findings.h"
#include "pgsift/lookup_shape.h"
#include "pgsift/session_sequences.h"
#include "pgsift/workload.h"
#include "pgsift/workload_rules.h"

namespace pgsift {
namespace {

// Why the bursts of `g` may not be one lookup per row of a list; "" when
// the log shows they are: the parent is a read, and its LIMIT (rows per call
// at most) holds every burst, allowing one lookup more (the page's own
// record often has the child's shape).
// `evidence` gets what shows a list when the answer is "".
std::string Doubt(const BurstGroup& g, const Workload& workload, std::string* evidence) {
  *evidence = "the parent is a read whose LIMIT holds every burst";
  if (g.identities.size() == 1 && g.identities.begin()->first == SessionIdentity::kNone && g.by_request == 0) {
    return "the log has no session identity, so the bursts may join statements of several sessions";
  }
  if (!g.has_parent) {
    return "nothing ran before the bursts in their session, request or transaction, so no list is known to "
           "give them their keys";
  }
  const QueryStats* parent = FindQuery(workload, g.parent_fingerprint, g.parent_fallback);
  if (parent == nullptr || !IsReadQuery(parent->normalized)) {
    return "the statement before the bursts is not a read, so not a list whose rows they look up";
  }
  // A list whose rows are looked up one by one is followed by its burst
  // whenever it returns a few rows. Lookups that follow it in fewer than
  // half of its runs (in the applications where the bursts were seen) are
  // independent of it: unrelated transactions alternating at random on one
  // connection, as pgbench's scripts do, make such runs by chance.
  uint64_t parent_runs = 0;
  for (const auto& [application, bursts] : g.applications) {
    auto it = parent->by_application.find(application);
    if (it != parent->by_application.end()) parent_runs += it->second.calls;
  }
  if (g.applications.empty()) parent_runs = parent->calls;
  if (parent_runs > 2 * g.bursts) {
    return fmt::format(
        "only {} of the parent's {} runs{} are followed by a burst, so the lookups look independent of it "
        "(unrelated transactions alternating on one connection?)",
        g.bursts, parent_runs, g.applications.empty() ? "" : " in the same applications");
  }
  if (g.limited < g.bursts) {
    // No LIMIT value: the rows the parent returned, where auto_explain
    // (log_analyze) shows them, tell a list from a single-row lookup.
    if (parent->plans_with_rows == 0) {
      return "the parent has no LIMIT (or its value is not logged) and no auto_explain plan with its rows, so its "
             "rows per call are unknown: a single-row lookup is not a list";
    }
    if (parent->plan_rows_max < 2) {
      return fmt::format(
          "auto_explain shows the parent returning at most {} row per call ({} plan{}): a single-row lookup, "
          "not a list",
          parent->plan_rows_max, parent->plans_with_rows, parent->plans_with_rows == 1 ? "" : "s");
    }
    if (static_cast<double>(g.max_size) > parent->plan_rows_max + 1) {
      return fmt::format(
          "bursts of up to {} lookups follow a parent that auto_explain shows returning at most {} rows per call "
          "({} plan{}), so they are not one lookup per listed row (statements of several requests interleaved?)",
          g.max_size, parent->plan_rows_max, parent->plans_with_rows, parent->plans_with_rows == 1 ? "" : "s");
    }
    *evidence = fmt::format(
        "the parent is a read that auto_explain shows returning up to {} rows per call ({} plan{}), which holds "
        "every burst",
        parent->plan_rows_max, parent->plans_with_rows, parent->plans_with_rows == 1 ? "" : "s");
    return "";
  }
  if (g.fitting < g.bursts) {
    return fmt::format(
        "{} of {} bursts run more lookups than the parent's LIMIT lets it return rows, so they are not one "
        "lookup per listed row (statements of several requests interleaved, e.g. behind a transaction-mode "
        "pooler? sqlcommenter traceparent tags tell requests apart)",
        g.bursts - g.fitting, g.bursts);
  }
  return "";
}

class NPlusOne : public burst::BurstRule {
 public:
  NPlusOne() : BurstRule(/*values_differ=*/true) {}

  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        .id = "workload-n-plus-one",
        .aliases = {},
        .summary = "One query per row after a list query (N+1), from per-session statement sequences",
        .severity = Severity::kWarning,
        .input = RuleInput::kWorkload,
        .doc = "rules/workload/n_plus_one.md",
    };
    return kInfo;
  }

  void Finish(const Workload& workload, FindingSink& sink) override {
    BurstDetector& detector = Detector();
    if (detector.saw_no_identity()) {
      Finding f;
      f.rule_id = Info().id;
      f.severity = Severity::kInfo;
      f.key_extra = "no-session-identity";
      f.message =
          "the log has no session identity: N+1 bursts were looked for in log order across all sessions, a weaker "
          "heuristic (interleaved sessions hide or fake bursts)";
      f.help = "add %c (or at least %p) to log_line_prefix, or read csvlog/jsonlog, to see each session's sequence";
      sink.Report(std::move(f));
    }
    for (const BurstGroup* g : groups_->Sorted()) {
      const QueryStats* child = FindQuery(workload, g->child_fingerprint, g->child_fallback);
      // Batch writes and page-by-page reads are loops over many rows, not one query per row.
      if (child == nullptr || !burst::AllReads(*g, workload, /*no_pages=*/true)) continue;
      Finding f = burst::GroupFinding(Info().id, *g, workload);
      std::string shown;
      std::string doubt = Doubt(*g, workload, &shown);
      bool weak = !doubt.empty();
      f.severity = weak ? Severity::kInfo : Info().severity;
      f.message = fmt::format("{}N+1: {} burst{} of one lookup per row{} (typically {} executions per burst{})",
                              weak ? "possible " : "", g->bursts, g->bursts == 1 ? "" : "s",
                              !weak           ? " after a list query"
                              : g->has_parent ? " after another query"
                                              : "",
                              g->TypicalSize(), burst::AlternatesSuffix(*g));
      std::string evidence = weak ? "weak: " + doubt : shown;
      if (!weak && g->by_request == g->bursts) evidence += ", in the same request (traceparent)";
      f.facts.insert(f.facts.begin() + 1, {"evidence", evidence});
      f.help =
          "fetch the rows of a burst in one query: pass the parent's keys as an array (WHERE key = ANY($1)) or "
          "JOIN the child table in the parent query;\n"
          "in an ORM, eager-load the association (Rails: includes/preload; Django: select_related/prefetch_related)";
      if (auto lookup = ParseKeyLookup(child->normalized)) {
        std::string by;
        for (const std::string& column : lookup->columns) by += (by.empty() ? "" : ", ") + column;
        f.facts.insert(f.facts.begin() + 1, {"lookup", lookup->table + " by " + by});
      }
      f.fix = BatchedLookup(f.facts.front().second);
      sink.Report(std::move(f));
    }
    Reset();
  }
};

}  // namespace

std::unique_ptr<Rule> MakeNPlusOneRule() { return std::make_unique<NPlusOne>(); }

}  // namespace pgsift
