// Readers turn bytes into LogRecords: one server log message with its header
// fields, whatever the format (stderr + log_line_prefix, csvlog, jsonlog,
// syslog, cloud exports). Every physical input line ends up either in a
// record or in a skip with a reason; nothing is dropped silently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pgsift {

// All views are valid only during the RecordSink callback that receives the
// record; a sink that needs them later copies them.
struct LogRecord {
  std::string_view timestamp;  // as written: "2026-11-23 07:14:48.591 UTC", ISO 8601, or epoch seconds
  std::string_view pid;
  std::string_view session_id;
  std::string_view user;
  std::string_view database;
  std::string_view application;
  std::string_view client;     // host, host:port or host(port)
  std::string_view sqlstate;   // empty when the format does not carry it
  std::string_view query_id;   // %Q / csv / json query_id (PG 14+), when logged
  std::string_view severity;   // LOG, ERROR, FATAL, DETAIL, STATEMENT, CONTEXT, HINT, ...
  std::string_view message;    // text after "SEVERITY:  ", continuation lines joined by '\n'
  std::string_view detail;     // csvlog/jsonlog: the detail field (stderr has separate DETAIL records)
  std::string_view statement;  // csvlog/jsonlog: the statement that caused an error
  uint64_t line = 0;           // 1-based physical line where the record starts
  uint32_t lines = 1;          // physical lines it spans
  // The views stay valid as long as the LineReader the record came from
  // (they point into the piece being read or into LineReader::KeepText, not
  // into a buffer the next record reuses): a sink may keep them instead of
  // copying.
  bool stable = false;
};

enum class SkipReason : uint8_t {
  kPrefixMismatch,      // stderr line that is neither a prefixed record nor a continuation
  kOrphanContinuation,  // continuation line before any record
  kMalformedCsv,
  kMalformedJson,
  kNotPostgres,  // syslog/cloud line from another program
  kBinary,       // NUL bytes or invalid structure
  kBlank,
  kCount_,
};
std::string_view SkipReasonName(SkipReason reason);

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void OnRecord(const LogRecord& record) = 0;
  // `lines` physical lines starting at `line` were not used. `hint` explains
  // why in words safe to show (never the line's message text).
  virtual void OnSkip(uint64_t line, uint32_t lines, SkipReason reason, std::string_view hint) = 0;
  // The identity of the server a platform log names ("pod NAME", "cloudsql
  // PROJECT:INSTANCE"), when it is first seen and whenever it changes.
  virtual void OnSource(std::string_view /*source*/) {}
};

}  // namespace pgsift
