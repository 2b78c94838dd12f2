// Shared by the reader tests: a RecordSink that keeps every record and skip,
// and helpers to read fixtures (plain or gzip) into memory.
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "pgsift/log_record.h"
#include "test_util.h"

namespace pgsift::testing {

struct Rec {
  std::string timestamp, pid, session_id, user, database, application, client, sqlstate, severity, message, detail,
      statement, query_id;
  uint64_t line;
  uint32_t lines;
  auto Key() const {
    return std::tie(timestamp, pid, session_id, severity, message, detail, statement, user, database, application,
                    client);
  }
};
struct Skip {
  uint64_t line;
  uint32_t lines;
  SkipReason reason;
  std::string hint;
};

class Collect : public RecordSink {
 public:
  void OnRecord(const LogRecord& r) override {
    records.push_back(Rec{std::string(r.timestamp), std::string(r.pid), std::string(r.session_id), std::string(r.user),
                          std::string(r.database), std::string(r.application), std::string(r.client),
                          std::string(r.sqlstate), std::string(r.severity), std::string(r.message),
                          std::string(r.detail), std::string(r.statement), std::string(r.query_id), r.line, r.lines});
  }
  void OnSkip(uint64_t line, uint32_t lines, SkipReason reason, std::string_view hint) override {
    skips.push_back(Skip{line, lines, reason, std::string(hint)});
  }
  uint64_t AccountedLines() const {
    uint64_t n = 0;
    for (const Rec& r : records) n += r.lines;
    for (const Skip& s : skips) n += s.lines;
    return n;
  }
  std::map<std::string, int> BySeverity() const {
    std::map<std::string, int> m;
    for (const Rec& r : records) ++m[r.severity];
    return m;
  }
  std::vector<Rec> records;
  std::vector<Skip> skips;
};

// Keeps each record as it was passed (views) and as copies made at once: a
// test reads on, then checks that the views of the records marked stable
// still hold what the copies hold, as the assembler relies on when it keeps
// views instead of copies.
class KeepViews : public RecordSink {
 public:
  void OnRecord(const LogRecord& r) override {
    views.push_back(r);
    copies.OnRecord(r);
  }
  void OnSkip(uint64_t line, uint32_t lines, SkipReason reason, std::string_view hint) override {
    copies.OnSkip(line, lines, reason, hint);
  }
  std::vector<LogRecord> views;
  Collect copies;
};

// Whole fixture in memory (zlib reads gzip and plain files alike).
inline std::string ReadFixture(const std::string& rel) {
  gzFile f = gzopen(Fixture(rel).c_str(), "rb");
  EXPECT_NE(f, nullptr) << rel;
  std::string data;
  if (f == nullptr) return data;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) data.append(buf, static_cast<size_t>(n));
  gzclose(f);
  return data;
}

inline uint64_t CountLines(const std::string& data) {
  uint64_t n = static_cast<uint64_t>(std::count(data.begin(), data.end(), '\n'));
  if (!data.empty() && data.back() != '\n') ++n;
  return n;
}

}  // namespace pgsift::testing
