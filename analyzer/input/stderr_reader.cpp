// A record is a prefixed line plus its continuation lines. A single-line
// record is passed on as a view of its line when lines stay valid (a piece
// of a file); otherwise, or when a continuation line comes, the first line is
// copied once into a reused buffer and continuation text appended to it, so
// the message stays one contiguous view. The prefix is matched straight into
// one of two LogRecords (the pending record and the next line's); header
// fields are rebased into the buffer when the record's text was copied.
#include <array>
#include <cstring>

#include "pgsift/prefix.h"
#include "pgsift/readers.h"

namespace pgsift {
namespace {

constexpr size_t kMaxRecordBytes = 64u << 20;

class StderrReader {
 public:
  StderrReader(const LinePrefix& prefix, RecordSink* sink, bool lines_stay_valid)
      : prefix_(prefix), sink_(sink), lines_stay_valid_(lines_stay_valid) {}

  void Line(std::string_view line, uint64_t line_no) {
    // Match fills the prefix's fields (the same ones on every success) and
    // severity/message; the other fields of the two records stay empty.
    LogRecord& next = records_[1 - current_];
    if (prefix_.Match(line, &next)) {
      Flush();
      current_ = 1 - current_;
      Start(line, line_no);
      return;
    }
    if (line.empty()) {
      sink_->OnSkip(line_no, 1, SkipReason::kBlank, "blank line");
      return;
    }
    // Not a record start: the rare case, so the NUL scan costs nothing on
    // the common path. A zeroed block must not become part of a message.
    if (std::memchr(line.data(), '\0', line.size()) != nullptr) {
      sink_->OnSkip(line_no, 1, SkipReason::kBinary, "NUL bytes in the line (a zeroed block or binary data)");
      return;
    }
    bool indented = line[0] == '\t' || line[0] == ' ';
    if (!indented && HasSeverityNearStart(line)) {
      sink_->OnSkip(line_no, 1, SkipReason::kPrefixMismatch, prefix_.Explain(line));
      return;
    }
    if (!active_) {
      sink_->OnSkip(line_no, 1, indented ? SkipReason::kOrphanContinuation : SkipReason::kPrefixMismatch,
                    indented ? "continuation line before any log record" : prefix_.Explain(line));
      return;
    }
    // Continuation: PostgreSQL puts a tab after each newline of a message.
    ++lines_;
    if (line[0] == '\t') line.remove_prefix(1);
    if (!copied_) {
      buf_.assign(first_.data(), first_.size());
      copied_ = true;
    }
    if (buf_.size() + line.size() + 1 <= kMaxRecordBytes) {
      buf_.push_back('\n');
      buf_.append(line);
    }
  }

  void Flush() {
    if (!active_) return;
    active_ = false;
    LogRecord& rec = records_[current_];
    rec.line = first_line_;
    rec.lines = lines_;
    rec.stable = !copied_;
    if (copied_) {
      // Same offsets in the buffer as in the first line.
      const char* from = first_.data();
      for (size_t i = 0; i < kFields; ++i) {
        std::string_view* f = Field(&rec, i);
        if (!f->empty()) *f = std::string_view(buf_.data() + (f->data() - from), f->size());
      }
      rec.message = std::string_view(buf_).substr(message_off_);
    }
    sink_->OnRecord(rec);
  }

 private:
  static constexpr size_t kFields = 10;
  static std::string_view* Field(LogRecord* r, size_t i) {
    std::array<std::string_view*, kFields> f = {&r->timestamp, &r->pid,         &r->session_id, &r->user,
                                                &r->database,  &r->application, &r->client,     &r->sqlstate,
                                                &r->severity,  &r->query_id};
    return f[i];
  }

  static bool HasSeverityNearStart(std::string_view line) {
    size_t n = std::min<size_t>(line.size(), 256);
    for (size_t q = 0; q < n; ++q) {
      if ((q == 0 || line[q - 1] == ' ' || line[q - 1] == ':' || line[q - 1] == ']') &&
          StartsWithSeverity(line.substr(q))) {
        return true;
      }
    }
    return false;
  }

  void Start(std::string_view line, uint64_t line_no) {
    first_ = line;
    copied_ = !lines_stay_valid_;
    if (copied_) buf_.assign(line.data(), line.size());
    message_off_ = static_cast<size_t>(records_[current_].message.data() - line.data());
    first_line_ = line_no;
    lines_ = 1;
    active_ = true;
  }

  const LinePrefix& prefix_;
  RecordSink* sink_;
  const bool lines_stay_valid_;
  std::string_view first_;  // the record's first line
  bool copied_ = false;     // the record's text is in buf_
  std::string buf_;
  std::array<LogRecord, 2> records_{};
  size_t current_ = 0;  // records_[current_] is the pending record
  size_t message_off_ = 0;
  uint64_t first_line_ = 0;
  uint32_t lines_ = 0;
  bool active_ = false;
};

}  // namespace

void ReadStderr(LineReader* lines, const LinePrefix& prefix, RecordSink* sink) {
  StderrReader reader(prefix, sink, lines->lines_stay_valid());
  std::string_view line;
  while (lines->Next(&line)) reader.Line(line, lines->line_number());
  reader.Flush();
}

}  // namespace pgsift
