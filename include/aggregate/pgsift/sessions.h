// Per-session statement sequences: the stream session rules (N+1, repeated
// identical queries) read. WorkloadBuilder turns each statement run into a
// compact, owned StatementRun after fingerprinting; it holds no literal or
// bind value (values_hash only tells whether two runs had the same values).
//
// Order: a StatementSink sees the runs of one input in log order, inputs in
// the order given, even when inputs or chunks were read on several threads
// (the engine buffers per chunk and replays in order). So a sink is
// single-threaded and needs no locks.
#pragma once

#include <cstdint>
#include <string>

#include "pgsift/event.h"

namespace pgsift {

struct StatementRun {
  int64_t time_us = kNoTime;  // start of the log record (the statement's end when a duration is logged)
  double duration_ms = -1;    // < 0: not logged
  uint64_t fingerprint = 0;
  bool fallback = false;  // fingerprint from the fallback hash (did not parse)
  uint64_t session = 0;   // hash of the session identity within its input; 0: none
  SessionIdentity identity = SessionIdentity::kNone;
  uint64_t values_hash = 0;  // hash of the raw statement text and its parameters
  uint32_t input = 0;        // index of the input file
  uint64_t line = 0;         // first line of the record in that input
  std::string application;   // application_name (%a), may be empty
  std::string comment;       // a leading or trailing /* ... */ of the raw text (sqlcommenter / marginalia), raw
  // BEGIN / START TRANSACTION / COMMIT / END / ROLLBACK / ABORT: the
  // statements around it belong to different transactions.
  bool transaction_control = false;
  // The value of the statement's outermost LIMIT (a literal, or a bind
  // parameter's value), -1 when there is none or it is not a number. A value
  // from the log: compared, never shown.
  int64_t limit = -1;
};

class StatementSink {
 public:
  virtual ~StatementSink() = default;
  virtual void OnStatement(const StatementRun& run) = 0;
  // The session ended (disconnection), or the input ended (session == 0:
  // every session of `input` ended). Sinks flush what they hold for it.
  virtual void OnSessionEnd(uint32_t input, uint64_t session, int64_t time_us) = 0;
};

}  // namespace pgsift
