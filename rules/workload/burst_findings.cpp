#include "burst_findings.h"

#include <fmt/format.h>

#include "pgsift/fingerprint.h"
#include "pgsift/format.h"

namespace pgsift::burst {

namespace {

// A key lookup through an index takes well under a millisecond on the
// server; lookups slower than this on average spend their time in the
// lookup itself (a scan), which batching the round trips does not remove.
constexpr double kSlowLookupMs = 1.0;

std::string Counted(const std::map<std::string, uint64_t>& counts) {
  std::string out;
  for (const auto& [name, n] : counts) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{} ({})", name, n);
  }
  return out;
}

}  // namespace

Finding GroupFinding(const std::string& rule_id, const BurstGroup& g, const Workload& workload) {
  Finding f;
  f.rule_id = rule_id;
  f.fingerprint = g.child_fingerprint;
  f.key_extra = g.has_parent ? "after:" + FingerprintHex(g.parent_fingerprint) : "after:none";
  f.facts.emplace_back("child", QueryText(workload, g.child_fingerprint, g.child_fallback));
  if (g.has_parent) {
    f.facts.emplace_back("parent", QueryText(workload, g.parent_fingerprint, g.parent_fallback));
    f.facts.emplace_back("parent query", FingerprintHex(g.parent_fingerprint));
  } else {
    f.facts.emplace_back("parent", "(none: the burst opened its session, request or transaction)");
  }
  std::string siblings;  // one fact: JSON keeps facts as an object
  for (const auto& [fp, fallback] : g.siblings) {
    if (!siblings.empty()) siblings += " | ";
    siblings += QueryText(workload, fp, fallback) + " (" + FingerprintHex(fp) + ")";
  }
  if (!siblings.empty()) f.facts.emplace_back("alternates with", siblings);
  f.facts.emplace_back("bursts", fmt::format("{}, {} executions", g.bursts, g.executions));
  f.facts.emplace_back("burst size", fmt::format("typical {}, max {}", g.TypicalSize(), g.max_size));
  bool timed = g.timed_bursts == g.bursts;
  if (g.timed_bursts == 0) {
    f.facts.emplace_back("time in bursts", "not logged (set log_min_duration_statement = 0)");
  } else {
    std::string t = FormatMs(g.child_ms);
    if (workload.summary.total_ms() > 0) {
      t += fmt::format(" ({:.1f}% of all query time)", 100.0 * g.child_ms / workload.summary.total_ms());
    }
    if (!timed) t += fmt::format(", durations of {} of {} bursts only", g.timed_bursts, g.bursts);
    f.facts.emplace_back("time in bursts", t);
  }
  if (!g.applications.empty()) f.facts.emplace_back("applications", Counted(g.applications));
  if (!g.code.empty()) f.facts.emplace_back("code", Counted(g.code));
  std::map<std::string, uint64_t> identities;
  for (const auto& [identity, n] : g.identities) identities[std::string(IdentityLabel(identity))] += n;
  if (g.by_request > 0) identities["request (sqlcommenter traceparent)"] += g.by_request;
  f.facts.emplace_back("session identity", identities.size() == 1 ? identities.begin()->first : Counted(identities));
  const Burst& e = g.example;
  std::string example = fmt::format("{} executions", e.size);
  if (e.timed) example += " in " + FormatMs(e.child_ms);
  example += g.has_parent ? " right after the parent" : " at the start of its session, request or transaction";
  if (!e.application.empty()) example += ", application " + e.application;
  f.facts.emplace_back("example", example);
  f.facts.emplace_back("example at", fmt::format("input #{}, log line {}", e.input + 1, e.line));
  double mean = g.executions > 0 ? g.child_ms / static_cast<double>(g.executions) : 0;
  bool slow = g.timed_bursts > 0 && mean >= kSlowLookupMs;
  if (slow) {
    f.facts.emplace_back("per lookup", FormatMs(mean) +
                                           " on average: the time is in the lookups themselves, not in round trips "
                                           "(read the child's plan: a missing index?)");
  }
  if (g.executions > g.bursts) {
    std::string saving = fmt::format("{} round trips", g.executions - g.bursts);
    if (slow) {
      // What one batched query of slow lookups costs is unknown: it may
      // scan as much as all of them.
      saving += " (server time not estimated: the lookups are slow on their own)";
    } else if (g.timed_bursts > 0) {
      // One query per burst costs about one execution; its real cost depends
      // on the rows it returns, so this is an estimate.
      double saved = g.child_ms - mean * static_cast<double>(g.bursts);
      saving = "about " + FormatMs(saved) + " of server time and " + saving;
    }
    f.facts.emplace_back("estimated saving",
                         saving + fmt::format(" (one query per burst instead of typically {})", g.TypicalSize()));
  }
  return f;
}

bool AllReads(const BurstGroup& group, const Workload& workload, bool no_pages) {
  auto read = [&](uint64_t fp, bool fallback) {
    const QueryStats* q = FindQuery(workload, fp, fallback);
    return q != nullptr && IsReadQuery(q->normalized) && !(no_pages && IsPageQuery(q->normalized));
  };
  if (!read(group.child_fingerprint, group.child_fallback)) return false;
  for (const auto& [fp, fallback] : group.siblings) {
    if (!read(fp, fallback)) return false;
  }
  return true;
}

std::string AlternatesSuffix(const BurstGroup& group) {
  if (group.siblings.empty()) return "";
  return fmt::format(", alternating with {} other quer{}", group.siblings.size(),
                     group.siblings.size() == 1 ? "y" : "ies");
}

}  // namespace pgsift::burst
