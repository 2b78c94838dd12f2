// workload-repeated-identical-query: the same read, with the same literals
// or parameters, run several times in a row in one session. See
// repeated_identical_query.md.
#include <fmt/format.h>

#include <memory>

#include "burst_findings.h"
#include "pgsift/session_sequences.h"
#include "pgsift/workload_rules.h"

namespace pgsift {
namespace {

class RepeatedIdenticalQuery : public burst::BurstRule {
 public:
  RepeatedIdenticalQuery() : BurstRule(/*values_differ=*/false) {}

  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        .id = "workload-repeated-identical-query",
        .aliases = {},
        .summary = "The same read with the same values run several times in a row in one session",
        .severity = Severity::kWarning,
        .input = RuleInput::kWorkload,
        .doc = "rules/workload/repeated_identical_query.md",
    };
    return kInfo;
  }

  void Finish(const Workload& workload, FindingSink& sink) override {
    Detector();
    for (const BurstGroup* g : groups_->Sorted()) {
      const QueryStats* child = FindQuery(workload, g->child_fingerprint, g->child_fallback);
      if (child == nullptr || !burst::AllReads(*g, workload, /*no_pages=*/false)) continue;
      Finding f = burst::GroupFinding(Info().id, *g, workload);
      bool weak = g->identities.size() == 1 && g->identities.begin()->first == SessionIdentity::kNone;
      f.severity = weak ? Severity::kInfo : Info().severity;
      f.message =
          fmt::format("{}the same query with the same values ran {} times {} ({} burst{}, max {}{})",
                      weak ? "possibly " : "", g->TypicalSize(), g->siblings.empty() ? "in a row" : "in one loop",
                      g->bursts, g->bursts == 1 ? "" : "s", g->max_size, burst::AlternatesSuffix(*g));
      f.help =
          "run it once and reuse the result (keep it in a variable, memoize it for the request, or cache it);\n"
          "in an ORM, look for a lookup inside a loop that does not depend on the loop variable";
      sink.Report(std::move(f));
    }
    Reset();
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRepeatedIdenticalQueryRule() { return std::make_unique<RepeatedIdenticalQuery>(); }

}  // namespace pgsift
