// The log-format table and OpenLog(): one row per format (see
// log_formats.h for how to add one).
#include "log_formats.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "internal.h"
#include "pieces.h"
#include "unwrap.h"

namespace pgsift {

namespace input_internal {

constexpr size_t kRunSampleLines = 3000;  // InferRunPrefix: all inputs together

namespace {

constexpr size_t kSampleLines = 300;       // from the head, and from each window
constexpr size_t kWindowBytes = 32 << 10;  // the middle and the end of a plain file

constexpr std::array kLogFormats = {
    LogFormatRow{
        LogFormat::kStderr, "stderr", "", nullptr, nullptr, PrefixUse::kInferred,
        [](LineReader* lines, const LogInput& log, RecordSink* sink) { ReadStderr(lines, *log.compiled_prefix, sink); },
        StderrSafeStart},
    LogFormatRow{LogFormat::kCsv, "csv", "csvlog", LooksLikeCsvRecordStart, nullptr, PrefixUse::kNone,
                 [](LineReader* lines, const LogInput&, RecordSink* sink) { ReadCsvLog(lines, sink); }, CsvSafeStart},
    // Envelopes (unwrap.h) before json: their lines are JSON objects too.
    LogFormatRow{LogFormat::kCnpg, "cnpg", "cloudnativepg", LooksLikeCnpgLine, nullptr, PrefixUse::kNone,
                 [](LineReader* lines, const LogInput&, RecordSink* sink) { ReadCnpg(lines, sink); }, nullptr},
    LogFormatRow{
        LogFormat::kCloudSql, "cloudsql", "gcp", LooksLikeCloudSqlLine, LooksLikeCloudSqlArray, PrefixUse::kText,
        [](LineReader* lines, const LogInput& log, RecordSink* sink) { ReadCloudSql(lines, log, sink); }, nullptr},
    LogFormatRow{
        LogFormat::kCloudWatch, "cloudwatch", "aws", LooksLikeCloudWatchLine, LooksLikeCloudWatchPage,
        PrefixUse::kText,
        [](LineReader* lines, const LogInput& log, RecordSink* sink) { ReadCloudWatch(lines, log, sink); }, nullptr},
    LogFormatRow{LogFormat::kCri, "cri", "kubernetes", LooksLikeCriLine, nullptr, PrefixUse::kText,
                 [](LineReader* lines, const LogInput& log, RecordSink* sink) { ReadCri(lines, log, sink); }, nullptr},
    LogFormatRow{LogFormat::kJournald, "journald", "", LooksLikeJournaldLine, nullptr, PrefixUse::kText,
                 [](LineReader* lines, const LogInput& log, RecordSink* sink) { ReadJournald(lines, log, sink); },
                 nullptr},
    LogFormatRow{LogFormat::kJson, "json", "jsonlog", LooksLikeJsonLine, nullptr, PrefixUse::kNone,
                 [](LineReader* lines, const LogInput&, RecordSink* sink) { ReadJsonLog(lines, sink); }, JsonSafeStart},
    LogFormatRow{LogFormat::kSyslog, "syslog", "", nullptr, LooksLikeSyslog, PrefixUse::kText,
                 [](LineReader* lines, const LogInput& log, RecordSink* sink) { ReadSyslog(lines, log.prefix, sink); },
                 nullptr},
};

// Up to `max` whole lines of `text`; a window that may start inside a line
// (`cut_start`) drops its first.
void AddLines(std::string_view text, bool cut_start, size_t max, std::vector<std::string>* out) {
  size_t pos = 0;
  if (cut_start) {
    pos = text.find('\n');
    if (pos == std::string_view::npos) return;
    ++pos;
  }
  for (size_t n = 0; pos < text.size() && n < max; ++n) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;  // a partial last line is not a sample
    std::string_view line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out->emplace_back(line);
    pos = nl + 1;
  }
}

// Lines from the head and, in a plain file, from its middle and its end: a
// log may start with a restart banner or change its prefix on a reload.
std::vector<std::string> SampleLines(const std::string& path, std::string_view head) {
  std::vector<std::string> out;
  AddLines(head, false, kSampleLines, &out);
  if (out.empty() && !head.empty()) out.emplace_back(head);
  if (head.size() == kLogHeadBytes) {
    for (const std::string& window : ReadWindows(path, kWindowBytes, head.size())) {
      AddLines(window, true, kSampleLines, &out);
    }
  }
  return out;
}

// Bytes already read, then the rest of the source.
class PrefixedSource : public ByteSource {
 public:
  PrefixedSource(std::string head, std::unique_ptr<ByteSource> rest) : head_(std::move(head)), rest_(std::move(rest)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    if (pos_ < head_.size()) {
      size_t k = std::min(n, head_.size() - pos_);
      std::memcpy(buf, head_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    return rest_->Read(buf, n);
  }

 private:
  std::string head_;
  size_t pos_ = 0;
  std::unique_ptr<ByteSource> rest_;
};

// Decides the prefix of a log whose format and head are known.
void DecidePrefix(const std::string& path, const LogOpenOptions& options, LogInput* log) {
  switch (RowOf(log->format).prefix) {
    case PrefixUse::kNone:
      return;
    case PrefixUse::kText:
      if (options.prefix) log->prefix = *options.prefix;
      return;
    case PrefixUse::kInferred:
      break;
  }
  log->sample = SampleLines(path, log->head);
  if (options.prefix) {
    log->prefix = *options.prefix;
  } else {
    Result<InferredPrefix> inferred = InferPrefix(log->sample, options.run_prefix);
    if (!inferred.ok()) {
      log->prefix_error = inferred.error();
      return;
    }
    log->prefix = inferred->prefix;
    log->prefix_inferred = true;
    log->inferred = std::move(*inferred);
  }
  Result<LinePrefix> compiled = options.prefix && options.compiled_prefix != nullptr
                                    ? Result<LinePrefix>(*options.compiled_prefix)
                                    : LinePrefix::Compile(log->prefix);
  if (!compiled.ok()) {
    log->prefix_error = compiled.error();
    return;
  }
  log->compiled_prefix = std::make_unique<LinePrefix>(std::move(*compiled));
}

}  // namespace

std::span<const LogFormatRow> LogFormatRows() { return kLogFormats; }

const LogFormatRow& RowOf(LogFormat format) {
  for (const LogFormatRow& row : kLogFormats) {
    if (row.format == format) return row;
  }
  return kLogFormats.front();  // kAuto: callers decide the format first
}

}  // namespace input_internal

std::string_view LogFormatName(LogFormat format) {
  if (format == LogFormat::kAuto) return "auto";
  return input_internal::RowOf(format).name;
}

std::string LogFormatNames(std::string_view last_separator) {
  std::string names = "auto";
  for (size_t i = 0; i < input_internal::kLogFormats.size(); ++i) {
    names += i + 1 == input_internal::kLogFormats.size() ? last_separator : ", ";
    names += input_internal::kLogFormats[i].name;
  }
  return names;
}

Result<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "auto") return LogFormat::kAuto;
  for (const input_internal::LogFormatRow& row : input_internal::kLogFormats) {
    if (name == row.name || (!row.alias.empty() && name == row.alias)) return row.format;
  }
  return Err("unknown log format '" + std::string(name) + "' (expected " + LogFormatNames(" or ") + ")");
}

void LogInput::Read(LineReader* lines, RecordSink* sink) const {
  input_internal::RowOf(format).read(lines, *this, sink);
}

bool LogInput::cuttable() const {
  return format != LogFormat::kAuto && input_internal::RowOf(format).safe_start != nullptr;
}

size_t LogInput::LastCut(std::string_view data) const {
  return PieceCutter(format, compiled_prefix.get()).LastCut(data);
}

std::unique_ptr<ByteSource> LogInput::TakeWhole() {
  return std::make_unique<input_internal::PrefixedSource>(std::move(head), std::move(rest));
}

Result<LogInput> OpenLog(const std::string& path, const LogOpenOptions& options) {
  Result<std::unique_ptr<ByteSource>> opened = OpenInput(path);
  if (!opened.ok()) return Err(opened.error());
  LogInput log;
  log.rest = std::move(*opened);
  log.head.resize(kLogHeadBytes);
  size_t size = 0;
  while (size < kLogHeadBytes) {
    Result<size_t> n = log.rest->Read(log.head.data() + size, kLogHeadBytes - size);
    if (!n.ok()) {
      log.head_error = n.error();
      break;
    }
    if (*n == 0) break;
    size += *n;
  }
  log.head.resize(size);
  log.format = options.format == LogFormat::kAuto ? DetectFormat(log.head) : options.format;
  input_internal::DecidePrefix(path, options, &log);
  return log;
}

std::string InferRunPrefix(const std::vector<std::string>& paths, LogFormat format) {
  if (paths.size() < 2 || (format != LogFormat::kAuto && format != LogFormat::kStderr)) return "";
  std::vector<std::string> pooled;
  const size_t per_input = std::max<size_t>(1, input_internal::kRunSampleLines / paths.size());
  for (const std::string& path : paths) {
    if (path == "-") continue;  // read once, when its turn comes
    Result<std::unique_ptr<ByteSource>> opened = OpenInput(path);
    if (!opened.ok()) continue;
    std::string head(kLogHeadBytes, '\0');
    size_t size = 0;
    while (size < kLogHeadBytes) {
      Result<size_t> n = (*opened)->Read(head.data() + size, kLogHeadBytes - size);
      if (!n.ok() || *n == 0) break;
      size += *n;
    }
    head.resize(size);
    if ((format == LogFormat::kAuto ? DetectFormat(head) : format) != LogFormat::kStderr) continue;
    std::vector<std::string> sample = input_internal::SampleLines(path, head);
    // Evenly spaced, so every input has its say.
    size_t step = std::max<size_t>(1, sample.size() / per_input);
    for (size_t i = 0; i < sample.size(); i += step) pooled.push_back(std::move(sample[i]));
  }
  Result<InferredPrefix> inferred = InferPrefix(pooled);
  return inferred.ok() ? inferred->prefix : "";
}

}  // namespace pgsift
