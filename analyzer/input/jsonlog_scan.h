// jsonlog lines: the fields a LogRecord needs, by two paths that must agree.
//
// PostgreSQL writes each jsonlog line as a flat object (jsonlog.c: string
// values escaped by escape_json, integers, no nesting, no whitespace).
// JsonLogScanner reads exactly that shape without a JSON library; any line it
// is not sure about it declines, and ParseJsonLogDom (simdjson's DOM parser,
// which validates the whole line) decides. The two give the same fields for
// every line the scanner accepts (tests/jsonlog_scan_test.cpp and the
// jsonlog fuzz target check this).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "byte_bits.h"
#include "pgsift/input.h"
#include "pgsift/log_record.h"

namespace pgsift::input_internal {

// The keys read into a LogRecord.
enum JsonLogKey {
  kJsonTimestamp,
  kJsonPid,
  kJsonSessionId,
  kJsonUser,
  kJsonDbname,
  kJsonApplicationName,
  kJsonRemoteHost,
  kJsonRemotePort,
  kJsonStateCode,
  kJsonErrorSeverity,
  kJsonMessage,
  kJsonDetail,
  kJsonStatement,
  kJsonQueryId,
  kJsonKeyCount,
};

// The JsonLogKey of `key`, or -1 for a key the reader does not use.
int JsonLogKeyIndex(std::string_view key);

// The values of one line: strings unescaped, numbers as decimal text, null and
// absent keys empty. For a key given more than once, the last string, number
// or null wins (booleans, arrays and objects leave the earlier value).
// has_port: some remote_port was a string or number.
struct JsonLogFields {
  std::array<std::string_view, kJsonKeyCount> values;
  bool has_port = false;
};

// The fast path. Views in the result point into the line or into the
// scanner's buffers, valid until the next Scan.
class JsonLogScanner {
 public:
  // True when `line` is valid JSON of the flat shape (an object of strings,
  // integers, null, true and false, no whitespace, no escapes in keys) and
  // *out holds its fields; false when it declines (the line may still be
  // valid JSON, or not: the DOM path decides).
  bool Scan(std::string_view line, JsonLogFields* out);

 private:
  // Reads the string whose opening quote is at *p, escapes and all; on
  // success *p is past the closing quote.
  bool ScanString(const char** p, const char* end, int key, std::string_view* out);
  // The line's quotes (a) and backslashes (b), one pass (input/byte_bits.h).
  ByteBitmaps bits_{'"', '\\'};
  // One buffer per key for values with escapes, and one for other keys.
  std::array<std::string, kJsonKeyCount + 1> unescaped_;
};

// simdjson's UTF-8 validation (jsonlog_reader.cpp: simdjson is used there only).
bool JsonLogValidUtf8(std::string_view s);

// The DOM path (simdjson, jsonlog_reader.cpp). Views valid until the next Parse.
class JsonLogDom {
 public:
  JsonLogDom();
  ~JsonLogDom();
  enum class Status { kOk, kNotJson, kNotObject };
  // kNotJson: *error is simdjson's message for the line.
  Status Parse(std::string_view line, JsonLogFields* out, std::string* error);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ReadJsonLog with the fast path on (what ReadJsonLog does) or off (every
// line through the DOM path), for the tests that compare the two.
void ReadJsonLogWith(LineReader* lines, RecordSink* sink, bool fast_path);

}  // namespace pgsift::input_internal
