// jsonlog reader (PostgreSQL 15+): one JSON object per line, parsed with
// simdjson's DOM parser, which validates the whole line (On-Demand would
// accept some damaged lines by skipping what it does not visit). One parser
// and one padded buffer serve every line; string values are views into the
// parser's string buffer and stay valid until the next line is parsed.
#include <simdjson.h>

#include <array>
#include <charconv>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/readers.h"

namespace pgsift {
namespace {

// The keys read into a LogRecord, and a scratch buffer for each so a number
// can become a string_view without allocating.
enum Key {
  kTimestamp,
  kPid,
  kSessionId,
  kUser,
  kDbname,
  kApplicationName,
  kRemoteHost,
  kRemotePort,
  kStateCode,
  kErrorSeverity,
  kMessage,
  kDetail,
  kStatement,
  kQueryId,
  kKeyCount,
};

int KeyIndex(std::string_view key) {
  switch (key.empty() ? '\0' : key[0]) {
    case 't':
      return key == "timestamp" ? kTimestamp : -1;
    case 'p':
      return key == "pid" ? kPid : -1;
    case 'q':
      return key == "query_id" ? kQueryId : -1;
    case 's':
      if (key == "session_id") return kSessionId;
      if (key == "state_code") return kStateCode;
      if (key == "statement") return kStatement;
      return -1;
    case 'u':
      return key == "user" ? kUser : -1;
    case 'd':
      if (key == "dbname") return kDbname;
      if (key == "detail") return kDetail;
      return -1;
    case 'a':
      return key == "application_name" ? kApplicationName : -1;
    case 'r':
      if (key == "remote_host") return kRemoteHost;
      if (key == "remote_port") return kRemotePort;
      return -1;
    case 'e':
      return key == "error_severity" ? kErrorSeverity : -1;
    case 'm':
      return key == "message" ? kMessage : -1;
    default:
      return -1;
  }
}

class JsonLogReader {
 public:
  JsonLogReader(LineReader* lines, RecordSink* sink) : lines_(lines), sink_(sink) {}
  void Run();

 private:
  void Parse(std::string_view line, uint64_t number);
  // A scalar as text: strings as they are, numbers printed into `buf`.
  static bool Scalar(simdjson::dom::element value, std::array<char, 32>* buf, std::string_view* out);

  LineReader* lines_;
  RecordSink* sink_;
  simdjson::dom::parser parser_;
  std::vector<char> padded_;
  std::array<std::array<char, 32>, kKeyCount> numbers_{};
  std::array<std::string_view, kKeyCount> values_;
  std::string client_;
  std::string hint_;
};

bool JsonLogReader::Scalar(simdjson::dom::element value, std::array<char, 32>* buf, std::string_view* out) {
  std::to_chars_result r{};
  switch (value.type()) {
    case simdjson::dom::element_type::STRING:
      *out = value.get_string().value_unsafe();
      return true;
    case simdjson::dom::element_type::INT64:
      r = std::to_chars(buf->data(), buf->data() + buf->size(), value.get_int64().value_unsafe());
      break;
    case simdjson::dom::element_type::UINT64:
      r = std::to_chars(buf->data(), buf->data() + buf->size(), value.get_uint64().value_unsafe());
      break;
    case simdjson::dom::element_type::DOUBLE:
      r = std::to_chars(buf->data(), buf->data() + buf->size(), value.get_double().value_unsafe());
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      *out = {};
      return true;
    default:
      return false;  // arrays, objects, booleans: not a header field
  }
  *out = std::string_view(buf->data(), static_cast<size_t>(r.ptr - buf->data()));
  return true;
}

void JsonLogReader::Parse(std::string_view line, uint64_t number) {
  if (padded_.size() < line.size() + simdjson::SIMDJSON_PADDING) {
    padded_.resize(line.size() + simdjson::SIMDJSON_PADDING);
  }
  std::memcpy(padded_.data(), line.data(), line.size());
  std::memset(padded_.data() + line.size(), 0, simdjson::SIMDJSON_PADDING);

  simdjson::dom::element doc;
  simdjson::error_code err = parser_.parse(padded_.data(), line.size(), false).get(doc);
  if (err != simdjson::SUCCESS) {
    hint_ = "jsonlog line is not valid JSON (";
    hint_ += simdjson::error_message(err);
    hint_ += ")";
    sink_->OnSkip(number, 1, SkipReason::kMalformedJson, hint_);
    return;
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) {
    sink_->OnSkip(number, 1, SkipReason::kMalformedJson, "jsonlog line is JSON but not an object");
    return;
  }
  values_.fill({});
  bool has_port = false;
  for (simdjson::dom::key_value_pair field : object) {
    int k = KeyIndex(field.key);
    if (k < 0) continue;
    if (!Scalar(field.value, &numbers_[static_cast<size_t>(k)], &values_[static_cast<size_t>(k)])) continue;
    if (k == kRemotePort && !field.value.is_null()) has_port = true;
  }

  LogRecord r;
  r.timestamp = values_[kTimestamp];
  r.pid = values_[kPid];
  r.session_id = values_[kSessionId];
  r.user = values_[kUser];
  r.database = values_[kDbname];
  r.application = values_[kApplicationName];
  r.client = values_[kRemoteHost];
  if (has_port && !values_[kRemotePort].empty()) {
    client_.assign(values_[kRemoteHost]);
    client_.push_back(':');
    client_.append(values_[kRemotePort]);
    r.client = client_;
  }
  r.sqlstate = values_[kStateCode];
  r.severity = values_[kErrorSeverity];
  r.message = values_[kMessage];
  r.detail = values_[kDetail];
  r.statement = values_[kStatement];
  r.query_id = values_[kQueryId];
  r.line = number;
  r.lines = 1;
  sink_->OnRecord(r);
}

void JsonLogReader::Run() {
  std::string_view line;
  while (lines_->Next(&line)) {
    uint64_t number = lines_->line_number();
    if (number == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
      sink_->OnSkip(number, 1, SkipReason::kBlank, "blank line");
      continue;
    }
    Parse(line, number);
  }
}

}  // namespace

void ReadJsonLog(LineReader* lines, RecordSink* sink) {
  JsonLogReader reader(lines, sink);
  reader.Run();
}

}  // namespace pgsift
