// `pgsift analyze`: inputs in, Workload and an account of every line out.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "pgsift/assembler.h"
#include "pgsift/finding.h"
#include "pgsift/readers.h"
#include "pgsift/result.h"
#include "pgsift/workload.h"

namespace pgsift {

// Version of the analyze JSON schema (docs: README "JSON report"). Bump the
// major on any incompatible change.
inline constexpr const char* kAnalyzeSchema = "pgsift.analyze.v1";

// Most parsing threads a run starts: each costs a thread, two pieces in
// flight (1 MiB each) and a fingerprint cache, so -j 100000 would exhaust
// memory; the CLI refuses more with a usage error.
inline constexpr unsigned kMaxJobs = 256;

struct AnalyzeOptions {
  std::vector<std::string> inputs;  // paths; "-" is stdin
  LogFormat format = LogFormat::kAuto;
  std::string prefix;         // stderr/syslog log_line_prefix; empty: infer
  bool prefix_given = false;  // --prefix was passed (even as "")
  Filters filters;
  // Session rules' stream: every accepted statement run, in log order per
  // input, inputs in order; OnSessionEnd(i, 0, ...) after input i. May be null.
  StatementSink* statements = nullptr;
  // Every auto_explain plan with its statement's shape (PlanSink: called from
  // the parsing threads). May be null.
  PlanSink* plans = nullptr;
  // Threads that parse (0: one per core; at most kMaxJobs, more are
  // clamped). Inputs are cut into pieces at record boundaries and read in
  // parallel; results equal a 1-thread run.
  unsigned jobs = 0;
  size_t piece_bytes = 0;  // 0: default (1 MiB); small values for tests
  // Distinct statement shapes the run keeps, all parsing threads together
  // (0: kDefaultMaxShapes). Statements of shapes past it are counted in one
  // overflow entry.
  size_t max_shapes = 0;
  // Called now and then with (input name, bytes read so far); may be empty.
  // Called from the reading thread.
  std::function<void(const std::string&, uint64_t)> progress;
};

struct InputReport {
  std::string name;
  LogFormat format = LogFormat::kAuto;
  std::string prefix;  // the prefix used (stderr, syslog)
  bool prefix_inferred = false;
  InferredPrefix prefix_fit;  // when prefix_inferred: sampled lines, those it does not explain
  uint64_t lines = 0;
  uint64_t bytes = 0;  // after decompression
  RecordCounts counts;
  std::vector<std::string> skip_examples;
  // The server a platform log names ("pod NAME", "cloudsql PROJECT:INSTANCE"),
  // with " and others" when it names several; empty for plain server logs.
  std::string source;
  std::string error;  // open/read/decompress failure, or why nothing matched
};

// "NAME: ERROR" of an input that failed, its name once (errors of opening
// it already start with it).
inline std::string InputError(const InputReport& in) {
  if (in.error.starts_with(in.name + ": ")) return in.error;
  return in.name + ": " + in.error;
}

struct AnalyzeResult {
  Workload workload;
  std::vector<InputReport> inputs;
  FingerprintStats fingerprints;  // summed over threads (each has its own cache)
  unsigned threads = 1;           // parsing threads used
  uint64_t pieces = 0;            // pieces the inputs were cut into
  uint64_t lines_total = 0;
  uint64_t lines_in_records = 0;
  uint64_t lines_skipped = 0;
  uint64_t records = 0;
  bool usable = false;            // at least one record was read from some input
  std::vector<Finding> findings;  // from workload rules (AnalyzeWithRules), sorted
};

// Fails only for invalid options (a --prefix that does not compile). Problems
// with an input are reported in its InputReport and the others still read.
Result<AnalyzeResult> Analyze(const AnalyzeOptions& options);

}  // namespace pgsift
