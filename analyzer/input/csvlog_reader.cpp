// csvlog reader. A record is complete when its quote count is even: a '"'
// toggles the quoted state and a doubled "" toggles it twice, so parity is the
// whole state. Each physical line is scanned once for its quotes and commas
// (input/byte_bits.h); the parity is a popcount and the split walks the
// bitmaps. Single-line records (the common case) are split in place, and
// passed on as stable when the lines stay valid; only records with quoted
// newlines are copied into a reusable buffer.
//
// Recovery: a multi-line record that turns out malformed (wrong field count,
// unterminated quote at end of input, or over the size limits) usually means
// one damaged line swallowed the records after it. Its first line is skipped
// and the lines from the next one that starts like a csvlog timestamp are
// read again, so the rest of the file is not lost. A line inside a quoted
// message that merely looks like a timestamp is never re-read this way unless
// the record around it was malformed anyway.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "byte_bits.h"
#include "internal.h"
#include "pgsift/readers.h"

namespace pgsift {

namespace {

using input_internal::NextBit;
using input_internal::WordsFor;

constexpr size_t kMaxRecordBytes = size_t{64} << 20;
constexpr uint32_t kMaxRecordLines = 100000;
constexpr int kMaxFields = 26;

// csvlog column positions (identical in every version for the first 23).
enum Column {
  kLogTime = 0,
  kUserName = 1,
  kDatabaseName = 2,
  kProcessId = 3,
  kConnectionFrom = 4,
  kSessionId = 5,
  kErrorSeverity = 11,
  kSqlStateCode = 12,
  kMessage = 13,
  kDetail = 14,
  kQuery = 19,
  kApplicationName = 22,
  kQueryId = 25,  // PG 14+
};

// PostgreSQL writes 23 (9.0-12), 24 (13) or 26 (14+) columns. 25 is also
// accepted: it is not a server layout, but hand-edited and tool-converted
// logs have it (pgBadger's csv_statement_without_duration.log), and the
// columns read here are positional within the first 23.
bool GoodFieldCount(int n) { return n >= 23 && n <= kMaxFields; }

class CsvLogReader {
 public:
  CsvLogReader(LineReader* lines, RecordSink* sink) : lines_(lines), sink_(sink) {}
  void Run();

 private:
  struct ReplayLine {
    size_t offset;
    size_t size;
    uint64_t number;
  };

  bool NextLine(std::string_view* line, uint64_t* number);
  void Step(std::string_view line, uint64_t number);
  // `found`: bits_ holds the bits of `text`.
  void Complete(std::string_view text, uint64_t start, uint32_t nlines, bool found);
  void FailAccumulated(const std::string& hint);
  // Fills bits_ for `text`; returns whether its quote count is odd.
  bool FindOddQuotes(std::string_view text);
  // Splits a complete record whose bits are in bits_; returns
  // the field count or -1 (bad quoting). *unescaped: a field kept in
  // unescaped_ (doubled quotes).
  int Split(std::string_view text, bool* unescaped);

  LineReader* lines_;
  RecordSink* sink_;

  std::string acc_;  // a record spanning lines, joined with '\n'
  uint64_t acc_start_ = 0;
  uint32_t acc_lines_ = 0;
  bool in_record_ = false;

  std::string replay_data_;
  std::vector<ReplayLine> replay_lines_;
  size_t replay_pos_ = 0;

  bool line_from_reader_ = false;  // the last line came from lines_, not a replay

  input_internal::ByteBitmaps bits_{'"', ','};  // quotes (a) and commas (b)
  std::array<std::string_view, kMaxFields> fields_;
  std::array<std::string, kMaxFields> unescaped_;
  std::string hint_;
};

bool CsvLogReader::NextLine(std::string_view* line, uint64_t* number) {
  if (!replay_lines_.empty() && replay_pos_ == replay_lines_.size()) {  // done re-reading
    replay_lines_.clear();
    replay_data_.clear();
    replay_pos_ = 0;
  }
  if (replay_pos_ < replay_lines_.size()) {
    const ReplayLine& r = replay_lines_[replay_pos_++];
    *line = std::string_view(replay_data_).substr(r.offset, r.size);
    *number = r.number;
    line_from_reader_ = false;
    return true;
  }
  line_from_reader_ = true;
  if (!lines_->Next(line)) return false;
  *number = lines_->line_number();
  if (*number == 1 && line->substr(0, 3) == "\xEF\xBB\xBF") line->remove_prefix(3);
  return true;
}

bool CsvLogReader::FindOddQuotes(std::string_view text) {
  bits_.Find(text);
  const uint64_t* quotes = bits_.a();
  // The parity of the whole count is the parity of the XOR of the words: one
  // popcount per line (without -mpopcnt each one is a libgcc call).
  uint64_t folded = 0;
  for (size_t w = 0; w < WordsFor(text.size()); ++w) folded ^= quotes[w];
  return (std::popcount(folded) & 1) != 0;
}

int CsvLogReader::Split(std::string_view text, bool* unescaped) {
  const size_t size = text.size();
  const uint64_t* quotes = bits_.a();
  const uint64_t* commas = bits_.b();
  int n = 0;
  size_t pos = 0;
  for (;;) {
    std::string_view value;
    if (pos < size && text[pos] == '"') {
      size_t start = pos + 1;
      size_t q = start;
      bool doubled = false;
      for (;;) {
        q = NextBit(quotes, q, size);
        if (q == size) return -1;
        if (q + 1 < size && text[q + 1] == '"') {
          doubled = true;
          q += 2;
          continue;
        }
        break;
      }
      if (n < kMaxFields) {
        if (!doubled) {
          value = text.substr(start, q - start);
        } else {
          std::string& buf = unescaped_[n];
          buf.clear();
          for (size_t i = start; i < q; ++i) {
            buf.push_back(text[i]);
            if (text[i] == '"') ++i;
          }
          value = buf;
          *unescaped = true;
        }
      }
      pos = q + 1;
      if (pos < size && text[pos] != ',') return -1;
    } else {
      size_t comma = NextBit(commas, pos, size);
      value = text.substr(pos, comma - pos);
      pos = comma;
    }
    if (n < kMaxFields) fields_[n] = value;
    ++n;
    if (pos >= size) return n;
    ++pos;  // the ','
  }
}

void CsvLogReader::Complete(std::string_view text, uint64_t start, uint32_t nlines, bool found) {
  if (!found) FindOddQuotes(text);
  bool unescaped = false;
  int n = Split(text, &unescaped);
  if (GoodFieldCount(n)) {
    // A line read from a piece is stable: its fields are views of it, and
    // the unescaped ones are kept by the LineReader.
    const bool stable = nlines == 1 && line_from_reader_ && lines_->lines_stay_valid();
    if (stable && unescaped) {
      for (int i = 0; i < std::min(n, kMaxFields); ++i) {
        std::string_view& f = fields_[static_cast<size_t>(i)];
        if (f.data() == unescaped_[static_cast<size_t>(i)].data()) f = lines_->KeepText({f});
      }
    }
    LogRecord r;
    r.timestamp = fields_[kLogTime];
    r.user = fields_[kUserName];
    r.database = fields_[kDatabaseName];
    r.pid = fields_[kProcessId];
    r.client = fields_[kConnectionFrom];
    r.session_id = fields_[kSessionId];
    r.severity = fields_[kErrorSeverity];
    r.sqlstate = fields_[kSqlStateCode];
    r.message = fields_[kMessage];
    r.detail = fields_[kDetail];
    r.statement = fields_[kQuery];
    r.application = fields_[kApplicationName];
    if (n == kMaxFields) r.query_id = fields_[kQueryId];
    r.line = start;
    r.lines = nlines;
    r.stable = stable;
    sink_->OnRecord(r);
    return;
  }
  if (n < 0) {
    hint_ = "csvlog record has a quoted field followed by something other than ','";
  } else {
    hint_ = "csvlog record has " + std::to_string(n) + " fields, expected 23, 24 or 26";
  }
  if (nlines == 1) {
    sink_->OnSkip(start, 1, SkipReason::kMalformedCsv, hint_);
  } else {
    FailAccumulated(hint_);
  }
}

void CsvLogReader::FailAccumulated(const std::string& hint) {
  // Find the first line after the record's first that could start a record.
  uint32_t resync = 0;
  size_t resync_offset = 0;
  size_t pos = acc_.find('\n');
  for (uint32_t i = 1; pos != std::string::npos; ++i) {
    size_t begin = pos + 1;
    pos = acc_.find('\n', begin);
    size_t end = pos == std::string::npos ? acc_.size() : pos;
    if (input_internal::LooksLikeCsvRecordStart(std::string_view(acc_).substr(begin, end - begin))) {
      resync = i;
      resync_offset = begin;
      break;
    }
  }
  if (resync == 0) {
    sink_->OnSkip(acc_start_, acc_lines_, SkipReason::kMalformedCsv, hint);
    acc_.clear();
    return;
  }
  sink_->OnSkip(acc_start_, resync, SkipReason::kMalformedCsv, hint);

  // Re-read lines resync.. of the record, then what remains of an earlier
  // replay (those lines come before anything not yet read).
  std::string data;
  std::vector<ReplayLine> lines;
  uint64_t number = acc_start_ + resync;
  size_t begin = resync_offset;
  for (;;) {
    size_t nl = acc_.find('\n', begin);
    size_t end = nl == std::string::npos ? acc_.size() : nl;
    lines.push_back(ReplayLine{data.size(), end - begin, number++});
    data.append(acc_, begin, end - begin);
    if (nl == std::string::npos) break;
    begin = nl + 1;
  }
  for (size_t i = replay_pos_; i < replay_lines_.size(); ++i) {
    const ReplayLine& r = replay_lines_[i];
    lines.push_back(ReplayLine{data.size(), r.size, r.number});
    data.append(replay_data_, r.offset, r.size);
  }
  replay_data_ = std::move(data);
  replay_lines_ = std::move(lines);
  replay_pos_ = 0;
  acc_.clear();
}

void CsvLogReader::Step(std::string_view line, uint64_t number) {
  if (!in_record_) {
    if (line.empty()) {
      sink_->OnSkip(number, 1, SkipReason::kBlank, "blank line");
      return;
    }
    if (!FindOddQuotes(line)) {
      Complete(line, number, 1, true);
      return;
    }
    acc_.assign(line);
    acc_start_ = number;
    acc_lines_ = 1;
    in_record_ = true;
    return;
  }
  acc_.push_back('\n');
  acc_.append(line);
  ++acc_lines_;
  if (FindOddQuotes(line)) {
    in_record_ = false;
    Complete(acc_, acc_start_, acc_lines_, false);
  } else if (acc_lines_ >= kMaxRecordLines || acc_.size() >= kMaxRecordBytes) {
    in_record_ = false;
    FailAccumulated("csvlog record exceeds " + std::to_string(kMaxRecordLines) + " lines or " +
                    std::to_string(kMaxRecordBytes >> 20) + " MiB: unterminated quoted field?");
  }
}

void CsvLogReader::Run() {
  std::string_view line;
  uint64_t number = 0;
  for (;;) {
    while (NextLine(&line, &number)) Step(line, number);
    if (!in_record_) break;
    // End of input inside quotes: skip and re-read from a resync point.
    in_record_ = false;
    FailAccumulated("csvlog record ends inside a quoted field at end of input");
  }
}

}  // namespace

void ReadCsvLog(LineReader* lines, RecordSink* sink) {
  CsvLogReader reader(lines, sink);
  reader.Run();
}

}  // namespace pgsift
