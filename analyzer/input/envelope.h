// The parts every envelope reader shares (unwrap.cpp, unwrap_cloudwatch.cpp):
//   - JsonEntries cuts the input into JSON objects (JSON lines, or the
//     elements of an array spread over many lines), crediting every line;
//   - an entry that holds a log line becomes part of a byte stream
//     (InnerText) that the existing readers read as if it were the log
//     itself; MappedSink turns the line numbers of that stream back into the
//     envelope's, so every envelope line is counted once, in a record or in
//     a skip; ReadInner runs the inner format's reader.
// Streaming: one entry at a time (at most kMaxEntryBytes), and a bounded map
// of inner to outer lines.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "internal.h"
#include "log_formats.h"
#include "pgsift/event.h"
#include "pgsift/prefix.h"

namespace pgsift::input_internal {

inline constexpr size_t kMaxEntryBytes = size_t{16} << 20;
inline constexpr size_t kMaxMapEntries = size_t{1} << 16;
inline constexpr size_t kPrefixSampleLines = 300;

inline std::string_view Trimmed(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// ---- JSON entries --------------------------------------------------------

// Cuts lines into top-level JSON objects: one per line (JSON lines), or the
// elements of a top-level array spread over many lines (gcloud's indented
// JSON). Text between objects may only be array punctuation and blanks; those
// lines are credited to the entry after them.
class JsonEntries {
 public:
  // `too_big_advice`: said after "entry longer than 16 MiB" (how to stream it).
  JsonEntries(LineReader* lines, RecordSink* sink, std::string_view what, std::string_view too_big_advice = "")
      : lines_(lines), sink_(sink), what_(what), advice_(too_big_advice) {}

  // The next object: its text, its first line (or that of the punctuation
  // or blank lines before it), and how many lines it is credited with (0
  // when it starts on a line an earlier entry was credited with). False at
  // the end of the input.
  bool Next(std::string_view* text, uint64_t* line, uint32_t* lines) {
    for (;;) {
      switch (Scan(line)) {
        case kEnd:
          return false;
        case kNotJson:
          continue;
        case kObject:
          break;
      }
      *lines = 0;
      if (current_ >= first_uncredited_) {  // from the first line not credited yet ("[", blanks)
        *line = first_uncredited_;
        *lines = static_cast<uint32_t>(current_ - first_uncredited_ + 1);
      }
      first_uncredited_ = current_ + 1;
      if (too_big_) {
        sink_->OnSkip(*line, *lines, SkipReason::kMalformedJson, hint_.assign(what_).append(" entry longer than 16 MiB").append(advice_));
        continue;
      }
      *text = buf_;
      return true;
    }
  }

 private:
  enum Scanned { kObject, kNotJson, kEnd };

  Scanned Scan(uint64_t* object_line) {
    buf_.clear();
    too_big_ = false;
    bool in_object = false, in_string = false, escape = false;
    int depth = 0;
    for (;;) {
      if (!have_line_) {
        if (!lines_->Next(&line_)) break;
        have_line_ = true;
        pos_ = 0;
        current_ = lines_->line_number();
        if (in_object) Append("\n");
      }
      size_t from = pos_;
      for (size_t i = pos_; i < line_.size(); ++i) {
        char c = line_[i];
        if (!in_object) {
          if (c == ' ' || c == '\t' || c == '\r' || c == '[' || c == ']' || c == ',') continue;
          have_line_ = false;
          if (c != '{') {
            if (current_ >= first_uncredited_) {
              sink_->OnSkip(first_uncredited_, static_cast<uint32_t>(current_ - first_uncredited_ + 1),
                            SkipReason::kMalformedJson, hint_.assign(what_) + " line is not a JSON object");
              first_uncredited_ = current_ + 1;
            }
            return kNotJson;
          }
          have_line_ = true;
          in_object = true;
          depth = 1;
          from = i;
          *object_line = current_;
          continue;
        }
        if (in_string) {
          if (escape) {
            escape = false;
          } else if (c == '\\') {
            escape = true;
          } else if (c == '"') {
            in_string = false;
          }
        } else if (c == '"') {
          in_string = true;
        } else if (c == '{' || c == '[') {
          ++depth;
        } else if ((c == '}' || c == ']') && --depth == 0) {
          Append(line_.substr(from, i + 1 - from));
          pos_ = i + 1;
          if (line_.find_first_not_of(" \t\r,]", pos_) == std::string_view::npos) have_line_ = false;
          return kObject;
        }
      }
      if (in_object) Append(line_.substr(from));
      have_line_ = false;
    }
    if (current_ >= first_uncredited_) {
      auto n = static_cast<uint32_t>(current_ - first_uncredited_ + 1);
      if (in_object) {
        sink_->OnSkip(first_uncredited_, n, SkipReason::kMalformedJson,
                      hint_.assign(what_) + " entry cut short by the end of the input");
      } else {
        sink_->OnSkip(first_uncredited_, n, SkipReason::kBlank, "blank lines or JSON array punctuation");
      }
      first_uncredited_ = current_ + 1;
    }
    return kEnd;
  }

  void Append(std::string_view s) {
    if (buf_.size() + s.size() > kMaxEntryBytes) {
      too_big_ = true;
      return;
    }
    buf_.append(s);
  }

  LineReader* lines_;
  RecordSink* sink_;
  std::string_view what_, advice_;
  std::string buf_;
  std::string hint_;
  bool too_big_ = false;
  std::string_view line_;  // the current line, read up to pos_
  size_t pos_ = 0;
  bool have_line_ = false;
  uint64_t current_ = 0;
  uint64_t first_uncredited_ = 1;  // the first line not yet in an entry or a skip
};

// A parsed entry; views valid until the next Parse.
class JsonDoc {
 public:
  bool Parse(std::string_view text, simdjson::dom::object* out) {
    if (padded_.size() < text.size() + simdjson::SIMDJSON_PADDING) {
      padded_.resize(text.size() + simdjson::SIMDJSON_PADDING);
    }
    std::memcpy(padded_.data(), text.data(), text.size());
    std::memset(padded_.data() + text.size(), 0, simdjson::SIMDJSON_PADDING);
    simdjson::dom::element doc;
    if (parser_.parse(padded_.data(), text.size(), false).get(doc) != simdjson::SUCCESS) return false;
    return doc.get_object().get(*out) == simdjson::SUCCESS;
  }

 private:
  simdjson::dom::parser parser_;
  std::vector<char> padded_;
};

inline std::string_view StringAt(simdjson::dom::object o, std::string_view key) {
  std::string_view v;
  if (o[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return v;
}

// A string value, or a number printed into `buf`.
inline std::string_view ScalarAt(simdjson::dom::object o, std::string_view key, std::string* buf) {
  simdjson::dom::element e;
  if (o[key].get(e) != simdjson::SUCCESS) return {};
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) return s;
  int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) {
    *buf = std::to_string(i);
    return *buf;
  }
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS) {
    char tmp[40];
    int n = std::snprintf(tmp, sizeof tmp, "%.6f", d);
    buf->assign(tmp, n > 0 ? static_cast<size_t>(n) : 0);
    return *buf;
  }
  return {};
}

// A name from a log shown in a hint: short and plain, else a placeholder.
inline std::string SafeName(std::string_view name) {
  if (name.empty() || name.size() > 40) return "?";
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return "?";
  }
  return std::string(name);
}

// Tells the sink the source identity when it changes: names of pods, units,
// instances; anything else in that field is not shown.
class SourceNote {
 public:
  void Note(RecordSink* sink, std::string_view kind, std::string_view name) {
    if (name.empty() || name.size() > 200) return;
    for (char c : name) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':' || c == '@')) {
        return;
      }
    }
    next_.assign(kind);
    next_.push_back(' ');
    next_.append(name);
    if (next_ == last_) return;
    last_.swap(next_);
    sink->OnSource(last_);
  }

 private:
  std::string last_, next_;
};

// ---- inner text ----------------------------------------------------------

// The lines inside the envelopes as one byte stream, with the map from its
// lines back to the envelope lines.
class InnerText : public ByteSource {
 public:
  // Appends the next entry's text (lines ending in '\n') to *out and its
  // envelope span to *line / *lines; false at the end.
  using NextFn = std::function<bool(std::string* out, uint64_t* line, uint32_t* lines)>;
  explicit InnerText(NextFn next) : next_(std::move(next)) {}

  Result<size_t> Read(char* buf, size_t n) override {
    while (pos_ == text_.size()) {
      text_.clear();
      pos_ = 0;
      uint64_t line = 0;
      uint32_t lines = 0;
      if (!next_(&text_, &line, &lines)) return size_t{0};
      if (text_.empty() || text_.back() != '\n') text_.push_back('\n');
      uint64_t count = static_cast<uint64_t>(std::count(text_.begin(), text_.end(), '\n'));
      map_.push_back(Span{inner_lines_ + 1, count, line, lines, false});
      inner_lines_ += count;
      if (map_.size() > kMaxMapEntries) {
        // An entry still unreported (a record of more than kMaxMapEntries
        // lines): its lines go to the next report, so none is lost.
        if (!map_.front().credited) orphan_lines_ += map_.front().outer_lines;
        map_.pop_front();
      }
    }
    size_t k = std::min(n, text_.size() - pos_);
    std::memcpy(buf, text_.data() + pos_, k);
    pos_ += k;
    return k;
  }

  // The envelope lines of inner lines [first, first + count): the first one,
  // and how many of them were not credited yet (each is credited once).
  void Credit(uint64_t first, uint64_t count, uint64_t* line, uint32_t* lines) {
    *line = map_.empty() ? first : map_.front().outer_line;
    *lines = static_cast<uint32_t>(std::min<uint64_t>(orphan_lines_, UINT32_MAX));
    orphan_lines_ -= *lines;
    auto it =
        std::upper_bound(map_.begin(), map_.end(), first, [](uint64_t v, const Span& s) { return v < s.inner_first; });
    if (it != map_.begin()) {
      --it;
      *line = it->outer_line;
    }
    for (; it != map_.end() && it->inner_first < first + std::max<uint64_t>(count, 1); ++it) {
      if (!it->credited) {
        *lines += it->outer_lines;
        it->credited = true;
      }
    }
  }

 private:
  struct Span {
    uint64_t inner_first;
    uint64_t inner_count;
    uint64_t outer_line;
    uint32_t outer_lines;
    bool credited;
  };
  NextFn next_;
  std::string text_;
  size_t pos_ = 0;
  uint64_t inner_lines_ = 0;
  std::deque<Span> map_;
  uint64_t orphan_lines_ = 0;
};

class MappedSink : public RecordSink {
 public:
  MappedSink(RecordSink* sink, InnerText* text) : sink_(sink), text_(text) {}
  void OnRecord(const LogRecord& record) override {
    LogRecord r = record;
    text_->Credit(record.line, record.lines, &r.line, &r.lines);
    r.stable = false;
    sink_->OnRecord(r);
  }
  void OnSkip(uint64_t line, uint32_t lines, SkipReason reason, std::string_view hint) override {
    uint64_t outer = 0;
    uint32_t n = 0;
    text_->Credit(line, lines, &outer, &n);
    if (n > 0) sink_->OnSkip(outer, n, reason, hint);
  }
  void OnSource(std::string_view source) override { sink_->OnSource(source); }

 private:
  RecordSink* sink_;
  InnerText* text_;
};

// Reads the inner lines with the reader of `format` (kAuto: detected from
// their head). Envelopes inside envelopes are not read (bounded nesting).
inline void ReadInner(InnerText* text, LogFormat format, const LogInput& log, RecordSink* sink) {
  MappedSink mapped(sink, text);
  LineReader inner(text);
  if (format == LogFormat::kAuto) format = DetectFormat(inner.Peek());
  if (format == LogFormat::kCri || format == LogFormat::kCloudSql || format == LogFormat::kJournald ||
      format == LogFormat::kCloudWatch) {
    std::string_view line;
    while (inner.Next(&line)) {
      mapped.OnSkip(inner.line_number(), 1, SkipReason::kNotPostgres, "an envelope inside an envelope is not read");
    }
    return;
  }
  if (format != LogFormat::kStderr) {
    LogInput sub;
    sub.format = format;
    sub.prefix = log.prefix;
    RowOf(format).read(&inner, sub, &mapped);
    return;
  }
  std::string prefix = log.prefix;
  std::string error;
  if (prefix.empty()) {
    std::vector<std::string> sample;
    std::string_view head = inner.Peek();
    size_t pos = 0;
    while (pos < head.size() && sample.size() < kPrefixSampleLines) {
      size_t nl = head.find('\n', pos);
      if (nl == std::string_view::npos) break;
      sample.emplace_back(head.substr(pos, nl - pos));
      pos = nl + 1;
    }
    Result<InferredPrefix> inferred = InferPrefix(sample);
    if (inferred.ok()) {
      prefix = inferred->prefix;
    } else {
      error = inferred.error();
    }
  }
  if (error.empty()) {
    Result<LinePrefix> compiled = LinePrefix::Compile(prefix);
    if (compiled.ok()) {
      ReadStderr(&inner, *compiled, &mapped);
      return;
    }
    error = compiled.error();
  }
  std::string_view line;
  while (inner.Next(&line)) mapped.OnSkip(inner.line_number(), 1, SkipReason::kPrefixMismatch, error);
}

// ---- Cloud SQL -------------------------------------------------------------

// "2020-05-02T13:00:20.382318Z" as %m writes it: "2020-05-02 13:00:20.382 UTC".
inline bool CloudTimestamp(std::string_view t, std::string* out) {
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t.back() != 'Z') {
    return false;
  }
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (!IsDigit(t[i])) return false;
  }
  out->assign(t.substr(0, 10));
  out->push_back(' ');
  out->append(t.substr(11, 8));
  out->append(".");
  std::string_view frac = t.size() > 21 && t[19] == '.' ? t.substr(20, t.size() - 21) : std::string_view();
  for (size_t i = 0; i < 3; ++i) out->push_back(i < frac.size() && IsDigit(frac[i]) ? frac[i] : '0');
  out->append(" UTC");
  return true;
}

inline bool StartsWithDate(std::string_view s) {
  return s.size() >= 10 && IsDigit(s[0]) && IsDigit(s[1]) && IsDigit(s[2]) && IsDigit(s[3]) && s[4] == '-' &&
         s[7] == '-';
}

}  // namespace pgsift::input_internal
