// jsonlog reader (PostgreSQL 15+): one JSON object per line. Each line goes
// first to the fast path (JsonLogScanner, jsonlog_scan.cpp), which reads the
// flat objects PostgreSQL writes; a line it declines goes to simdjson's DOM
// parser, which validates the whole line (On-Demand would accept some damaged
// lines by skipping what it does not visit) and decides: parsed, or skipped
// as not valid JSON. One parser and one padded buffer serve every line;
// the DOM path's values are views into the parser's string buffer, valid
// until the next line. A fast-path record read from a piece is stable: its
// values are views of the line, or (unescaped strings, "host:port") kept by
// LineReader::KeepText, valid as long as the lines.
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jsonlog_scan.h"
#include "pgsift/readers.h"

namespace pgsift {
namespace input_internal {

struct JsonLogDom::Impl {
  simdjson::dom::parser parser;
  std::vector<char> padded;
  // A scratch buffer per key so a number can become a string_view without
  // allocating.
  std::array<std::array<char, 32>, kJsonKeyCount> numbers{};
};

bool JsonLogValidUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

namespace {

bool Cont(unsigned char c) { return (c & 0xC0) == 0x80; }

// Replaces each byte that does not start a valid UTF-8 sequence with '?'.
// PostgreSQL itself writes such lines: a translated message cut in the middle
// of a character by a fixed-size buffer (lc_messages = ka_GE, the "CPU:" line
// of an autovacuum report). The record is kept, with '?' for the cut bytes.
void RepairUtf8(char* p, size_t n) {
  auto* u = reinterpret_cast<unsigned char*>(p);
  size_t i = 0;
  while (i < n) {
    unsigned char c = u[i];
    size_t len = 0;
    if (c < 0x80) {
      len = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = i + 1 < n && Cont(u[i + 1]) ? 2 : 0;
    } else if (c >= 0xE0 && c <= 0xEF) {
      unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
      len = i + 2 < n && u[i + 1] >= lo && u[i + 1] <= hi && Cont(u[i + 2]) ? 3 : 0;
    } else if (c >= 0xF0 && c <= 0xF4) {
      unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
      len = i + 3 < n && u[i + 1] >= lo && u[i + 1] <= hi && Cont(u[i + 2]) && Cont(u[i + 3]) ? 4 : 0;
    }
    if (len == 0) {
      u[i] = '?';
      len = 1;
    }
    i += len;
  }
}

}  // namespace

JsonLogDom::JsonLogDom() : impl_(std::make_unique<Impl>()) {}
JsonLogDom::~JsonLogDom() = default;

namespace {

// A scalar as text: strings as they are, numbers printed into `buf`.
bool Scalar(simdjson::dom::element value, std::array<char, 32>* buf, std::string_view* out) {
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

}  // namespace

JsonLogDom::Status JsonLogDom::Parse(std::string_view line, JsonLogFields* out, std::string* error) {
  std::vector<char>& padded = impl_->padded;
  if (padded.size() < line.size() + simdjson::SIMDJSON_PADDING) {
    padded.resize(line.size() + simdjson::SIMDJSON_PADDING);
  }
  std::memcpy(padded.data(), line.data(), line.size());
  std::memset(padded.data() + line.size(), 0, simdjson::SIMDJSON_PADDING);

  simdjson::dom::element doc;
  simdjson::error_code err = impl_->parser.parse(padded.data(), line.size(), false).get(doc);
  if (err == simdjson::UTF8_ERROR) {
    RepairUtf8(padded.data(), line.size());
    err = impl_->parser.parse(padded.data(), line.size(), false).get(doc);
  }
  if (err != simdjson::SUCCESS) {
    error->assign(simdjson::error_message(err));
    return Status::kNotJson;
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) return Status::kNotObject;
  out->values.fill({});
  out->has_port = false;
  for (simdjson::dom::key_value_pair field : object) {
    int k = JsonLogKeyIndex(field.key);
    if (k < 0) continue;
    auto i = static_cast<size_t>(k);
    if (!Scalar(field.value, &impl_->numbers[i], &out->values[i])) continue;
    if (k == kJsonRemotePort && !field.value.is_null()) out->has_port = true;
  }
  return Status::kOk;
}

namespace {

class JsonLogReader {
 public:
  JsonLogReader(LineReader* lines, RecordSink* sink, bool fast_path)
      : lines_(lines), sink_(sink), fast_path_(fast_path) {}
  void Run();

 private:
  void Parse(std::string_view line, uint64_t number);

  LineReader* lines_;
  RecordSink* sink_;
  bool fast_path_;
  JsonLogScanner scanner_;
  JsonLogDom dom_;
  JsonLogFields fields_;
  std::string client_;
  std::string error_;
  std::string hint_;
};

void JsonLogReader::Parse(std::string_view line, uint64_t number) {
  bool stable = false;
  if (fast_path_ && scanner_.Scan(line, &fields_)) {
    stable = lines_->lines_stay_valid();
    if (stable) {
      for (std::string_view& v : fields_.values) {
        if (!v.empty() && (v.data() < line.data() || v.data() + v.size() > line.data() + line.size())) {
          v = lines_->KeepText({v});  // unescaped into the scanner's buffer
        }
      }
    }
  } else {
    switch (dom_.Parse(line, &fields_, &error_)) {
      case JsonLogDom::Status::kOk:
        break;
      case JsonLogDom::Status::kNotJson:
        hint_ = "jsonlog line is not valid JSON (";
        hint_ += error_;
        hint_ += ")";
        sink_->OnSkip(number, 1, SkipReason::kMalformedJson, hint_);
        return;
      case JsonLogDom::Status::kNotObject:
        sink_->OnSkip(number, 1, SkipReason::kMalformedJson, "jsonlog line is JSON but not an object");
        return;
    }
  }
  const std::array<std::string_view, kJsonKeyCount>& v = fields_.values;
  LogRecord r;
  r.timestamp = v[kJsonTimestamp];
  r.pid = v[kJsonPid];
  r.session_id = v[kJsonSessionId];
  r.user = v[kJsonUser];
  r.database = v[kJsonDbname];
  r.application = v[kJsonApplicationName];
  r.client = v[kJsonRemoteHost];
  if (fields_.has_port && !v[kJsonRemotePort].empty()) {
    if (stable) {
      r.client = lines_->KeepText({v[kJsonRemoteHost], ":", v[kJsonRemotePort]});
    } else {
      client_.assign(v[kJsonRemoteHost]);
      client_.push_back(':');
      client_.append(v[kJsonRemotePort]);
      r.client = client_;
    }
  }
  r.sqlstate = v[kJsonStateCode];
  r.severity = v[kJsonErrorSeverity];
  r.message = v[kJsonMessage];
  r.detail = v[kJsonDetail];
  r.statement = v[kJsonStatement];
  r.query_id = v[kJsonQueryId];
  r.line = number;
  r.lines = 1;
  r.stable = stable;
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

void ReadJsonLogWith(LineReader* lines, RecordSink* sink, bool fast_path) {
  JsonLogReader reader(lines, sink, fast_path);
  reader.Run();
}

}  // namespace input_internal

void ReadJsonLog(LineReader* lines, RecordSink* sink) { input_internal::ReadJsonLogWith(lines, sink, true); }

}  // namespace pgsift
