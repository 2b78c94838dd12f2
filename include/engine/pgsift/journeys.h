// Latency SLOs per critical user journey (reception, consultation, billing),
// mapped by the user in .pgsift.toml to application_name values or
// sqlcommenter tags, measured on the statements of the window's logs.
//
//   [journeys.reception]
//   application_name = ["reception-web", "reception-api"]  # or one string
//   tag = "route=/reception"       # sqlcommenter key=value (or a list)
//   p95_ms = 300                   # target: this share of calls faster than this
//   objective = 0.95               # optional, default 0.95
//
// Only the [journeys] table is read here (the general config loader is
// elsewhere). The output names journeys and their targets, never a value
// from the logs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pgsift/result.h"
#include "pgsift/sessions.h"
#include "pgsift/workload.h"

namespace pgsift {

struct JourneySpec {
  std::string name;
  std::vector<std::string> applications;
  std::vector<std::pair<std::string, std::string>> tags;  // sqlcommenter key, value (decoded)
  double target_ms = 0;
  double objective = 0.95;
};

// Reads the [journeys] table of a TOML file. A file without it gives an
// empty list. Errors name the file, line and key.
Result<std::vector<JourneySpec>> LoadJourneys(const std::string& path);
Result<std::vector<JourneySpec>> ParseJourneys(std::string_view toml, const std::string& name);

struct JourneyResult {
  JourneySpec spec;
  uint64_t calls = 0;  // statements with a logged duration
  uint64_t over = 0;   // slower than target_ms
  double p95_ms = 0;   // the objective's quantile, within DurationSketch's 1%
  // over / (calls * (1 - objective)): 1.0 means the whole budget is spent.
  double budget_burned() const;
};

// Sorts each statement of the stream into the journeys it matches.
class JourneyTracker : public StatementSink {
 public:
  explicit JourneyTracker(std::vector<JourneySpec> specs);
  void OnStatement(const StatementRun& run) override;
  void OnSessionEnd(uint32_t, uint64_t, int64_t) override {}
  std::vector<JourneyResult> Results() const;  // in config order (sorted by name)

 private:
  std::vector<JourneySpec> specs_;
  std::vector<JourneyResult> results_;
  std::vector<DurationSketch> sketches_;
};

}  // namespace pgsift
