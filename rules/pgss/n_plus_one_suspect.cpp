// pgss-n-plus-one-suspect: a key lookup that pg_stat_statements shows being
// called very often for about one row per call. See n_plus_one_suspect.md.
#include <fmt/format.h>

#include <memory>

#include "pgsift/format.h"
#include "pgsift/lookup_shape.h"
#include "pgsift/pgss_rules.h"

namespace pgsift {
namespace {

class NPlusOneSuspect : public PgssRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{
        .id = "pgss-n-plus-one-suspect",
        .aliases = {},
        .summary =
            "A key lookup called very often for about one row per call: a possible N+1 (pg_stat_statements only)",
        .severity = Severity::kInfo,
        .input = RuleInput::kPgss,
        .doc = "rules/pgss/n_plus_one_suspect.md",
    };
    return kInfo;
  }

  Status Configure(const RuleOptions& options) override {
    auto calls = options.GetInt("min_calls", options_.min_calls);
    if (!calls.ok()) return Err(calls.error());
    auto rows = options.GetDouble("max_rows_per_call", options_.max_rows_per_call);
    if (!rows.ok()) return Err(rows.error());
    if (*calls < 1) return Err("min_calls must be at least 1");
    if (*rows <= 0) return Err("max_rows_per_call must be positive");
    options_.min_calls = *calls;
    options_.max_rows_per_call = *rows;
    return Ok{};
  }

  void Check(const SnapshotDelta& window, FindingSink& sink) const override {
    for (const FingerprintDelta& q : window.queries) {
      const PgssTotals& w = q.window;
      if (q.fallback || !IsNPlusOneSuspect(w.calls, w.rows, q.query, options_)) continue;
      auto lookup = ParseKeyLookup(q.query);
      std::string by;
      for (const std::string& column : lookup->columns) by += (by.empty() ? "" : ", ") + column;
      Finding f;
      f.rule_id = Info().id;
      f.severity = Info().severity;
      f.fingerprint = q.fingerprint;
      f.key_extra = lookup->table;
      f.message = fmt::format("possible N+1: {} looked up by {} {} times, {:.2f} rows per call", lookup->table, by,
                              w.calls, static_cast<double>(w.rows) / static_cast<double>(w.calls));
      f.facts.emplace_back("lookup query", q.query);
      f.facts.emplace_back("lookup", lookup->table + " by " + by);
      f.facts.emplace_back("calls", fmt::format("{} ({} rows)", w.calls, w.rows));
      std::string time = FormatMs(w.exec_ms) + ", mean " + FormatMs(w.mean_ms());
      if (window.window.exec_ms > 0)
        time += fmt::format(" ({:.1f}% of all query time)", 100 * w.exec_ms / window.window.exec_ms);
      f.facts.emplace_back("time", time);
      if (!q.databases.empty()) f.facts.emplace_back("databases", q.databases);
      f.facts.emplace_back("confidence",
                           "low: pg_stat_statements has no sessions or order, so a list query followed by one "
                           "lookup per row cannot be told apart from independent lookups");
      f.help =
          "confirm with the server logs of the same period (log_min_duration_statement = 0 for a while, %c in "
          "log_line_prefix): `pgsift analyze` or `pgsift report --logs` reports workload-n-plus-one with the parent "
          "query and the code tags;\n"
          "if it is one lookup per row of a list, fetch them in one query (WHERE key = ANY($1)), JOIN, or eager-load";
      f.fix = BatchedLookup(q.query);
      sink.Report(std::move(f));
    }
  }

 private:
  SuspectOptions options_;
};

}  // namespace

std::unique_ptr<Rule> MakeNPlusOneSuspectRule() { return std::make_unique<NPlusOneSuspect>(); }

}  // namespace pgsift
