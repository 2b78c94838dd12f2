#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "pgsift/input.h"
#include "pgsift/readers.h"
#include "record_collector.h"
#include "test_util.h"

namespace pgsift {
namespace {

using testing::Collect;
using testing::CountLines;
using testing::ReadFixture;
using testing::Rec;
using testing::Skip;

std::vector<std::string> SplitLines(const std::string& data) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    if (nl == std::string::npos) nl = data.size();
    out.push_back(data.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

Collect Read(const std::string& data, std::string_view prefix = "") {
  auto source = MemorySource(data);
  LineReader lines(source.get());
  Collect sink;
  ReadSyslog(&lines, prefix, &sink);
  EXPECT_EQ(sink.AccountedLines(), SplitLines(data).size());
  return sink;
}

const Rec* FindMessage(const Collect& c, std::string_view start) {
  for (const Rec& r : c.records) {
    if (r.message.rfind(start, 0) == 0) return &r;
  }
  return nullptr;
}

constexpr std::string_view kPgSyslogPrefix = "db=%d,user=%u,app=%a,client=%h ";

TEST(SyslogReader, PgBadgerSyslogInferredPrefix) {
  Collect c = Read(ReadFixture("pgbadger/pg-syslog.2.gz"));
  // 59921 lines: 59897 messages (one HINT line among them), 21 continuation
  // lines of multi-line statements, 3 lines from systemd.
  EXPECT_EQ(c.records.size(), 59897u);
  EXPECT_EQ(c.BySeverity(), (std::map<std::string, int>{{"HINT", 1}, {"LOG", 59896}}));
  ASSERT_EQ(c.skips.size(), 3u);
  for (const Skip& s : c.skips) EXPECT_EQ(s.reason, SkipReason::kNotPostgres);
  EXPECT_EQ(c.skips[0].line, 42u);

  const Rec* hint = FindMessage(c, "Future log output will go to log destination");
  ASSERT_NE(hint, nullptr);
  EXPECT_EQ(hint->severity, "HINT");
  EXPECT_EQ(hint->line, 4u);
  EXPECT_EQ(hint->pid, "10808");

  const Rec* stmt = FindMessage(c, "duration: 13.997 ms  statement: SELECT d.datname");
  ASSERT_NE(stmt, nullptr);
  EXPECT_EQ(stmt->line, 11u);
  EXPECT_EQ(stmt->lines, 8u);
  // The header's "Feb 10 23:15:40" with its year inferred (SyslogYear).
  ASSERT_EQ(stmt->timestamp.size(), 19u);
  EXPECT_EQ(stmt->timestamp.substr(4), "-02-10 23:15:40");
  EXPECT_EQ(stmt->pid, "10819");
  EXPECT_EQ(stmt->user, "postgres");
  EXPECT_EQ(stmt->database, "postgres");
  EXPECT_EQ(stmt->application, "psql");
  EXPECT_EQ(stmt->client, "[local]");
  EXPECT_EQ(stmt->message,
            "duration: 13.997 ms  statement: SELECT d.datname as \"Name\",\n"
            "       pg_catalog.pg_get_userbyid(d.datdba) as \"Owner\",\n"
            "       pg_catalog.pg_encoding_to_char(d.encoding) as \"Encoding\",\n"
            "       d.datcollate as \"Collate\",\n"
            "       d.datctype as \"Ctype\",\n"
            "       pg_catalog.array_to_string(d.datacl, E'\\n') AS \"Access privileges\"\n"
            "FROM pg_catalog.pg_database d\n"
            "ORDER BY 1;");
}

TEST(SyslogReader, ExplicitPrefixGivesTheSameRecords) {
  std::string data = ReadFixture("pgbadger/pg-syslog.2.gz");
  Collect inferred = Read(data);
  Collect given = Read(data, kPgSyslogPrefix);
  ASSERT_EQ(inferred.records.size(), given.records.size());
  for (size_t i = 0; i < given.records.size(); ++i) {
    EXPECT_EQ(inferred.records[i].message, given.records[i].message);
    EXPECT_EQ(inferred.records[i].line, given.records[i].line);
  }
}

// The first lines of the real file, rewritten in other header styles.
std::vector<std::string> Head(size_t n) {
  std::vector<std::string> lines = SplitLines(ReadFixture("pgbadger/pg-syslog.2.gz"));
  lines.resize(n);
  return lines;
}

TEST(SyslogReader, WithoutSequenceNumbers) {
  std::vector<std::string> lines = Head(400);
  Collect tagged = Read(JoinLines(lines), kPgSyslogPrefix);
  for (std::string& l : lines) {
    size_t tag = l.find("]: [");
    if (tag != std::string::npos) l.erase(tag + 3, l.find("] ", tag + 3) + 2 - (tag + 3));
  }
  ASSERT_EQ(lines[10].substr(0, 45), "Feb 10 23:15:40 test-pc postgres[10819]: db=p");
  Collect plain = Read(JoinLines(lines));
  ASSERT_EQ(plain.records.size(), tagged.records.size());
  for (size_t i = 0; i < plain.records.size(); ++i) {
    EXPECT_EQ(plain.records[i].message, tagged.records[i].message);
    EXPECT_EQ(plain.records[i].lines, tagged.records[i].lines);
  }
  EXPECT_EQ(plain.skips.size(), tagged.skips.size());
}

TEST(SyslogReader, Rfc5424Headers) {
  std::vector<std::string> lines = Head(400);
  Collect bsd = Read(JoinLines(lines), kPgSyslogPrefix);
  // "Feb 10 23:15:39 test-pc postgres[10808]: body" ->
  // "<134>1 2019-02-10T23:15:39+01:00 test-pc postgres 10808 - - body"
  for (std::string& l : lines) {
    size_t host_end = l.find(' ', 16);
    size_t open = l.find('[', host_end);
    size_t close = l.find("]: ", open);
    l = "<134>1 2019-02-10T" + l.substr(7, 8) + "+01:00 " + l.substr(16, host_end - 16) + " " +
        l.substr(host_end + 1, open - host_end - 1) + " " + l.substr(open + 1, close - open - 1) + " - - " +
        l.substr(close + 3);
  }
  ASSERT_EQ(lines[0].substr(0, 61), "<134>1 2019-02-10T23:15:39+01:00 test-pc postgres 10808 - - [");
  Collect rfc = Read(JoinLines(lines), kPgSyslogPrefix);
  ASSERT_EQ(rfc.records.size(), bsd.records.size());
  for (size_t i = 0; i < rfc.records.size(); ++i) {
    EXPECT_EQ(rfc.records[i].message, bsd.records[i].message);
    EXPECT_EQ(rfc.records[i].pid, bsd.records[i].pid);
  }
  EXPECT_EQ(rfc.records[0].timestamp, "2019-02-10T23:15:39+01:00");
  EXPECT_EQ(rfc.skips.size(), bsd.skips.size());
}

TEST(SyslogReader, InterleavedContinuationsAndOrphans) {
  std::vector<std::string> lines = Head(60);
  // Line 11 starts a statement continued on lines 12-18; put another
  // backend's message (line 20) between its parts 2 and 3.
  ASSERT_NE(lines[19].find("postgres[10822]: [5-1]"), std::string::npos);
  std::string other = lines[19];
  lines.erase(lines.begin() + 19);
  lines.insert(lines.begin() + 12, other);
  Collect c = Read(JoinLines(lines), kPgSyslogPrefix);
  const Rec* stmt = FindMessage(c, "duration: 13.997 ms  statement: SELECT d.datname");
  ASSERT_NE(stmt, nullptr);
  EXPECT_EQ(stmt->lines, 8u);
  EXPECT_NE(stmt->message.find("\"Owner\",\n       pg_catalog.pg_encoding_to_char"), std::string::npos);
  EXPECT_NE(stmt->message.find("\nORDER BY 1;"), std::string::npos);
  EXPECT_NE(FindMessage(c, "connection received: host=[local]"), nullptr);

  std::vector<std::string> orphan = Head(60);
  orphan.erase(orphan.begin() + 10);  // the statement's first part
  Collect o = Read(JoinLines(orphan), kPgSyslogPrefix);
  ASSERT_GE(o.skips.size(), 7u);
  EXPECT_EQ(o.skips[0].reason, SkipReason::kOrphanContinuation);
  EXPECT_EQ(o.skips[0].line, 11u);
}

TEST(SyslogReader, PrefixMismatchAndBlank) {
  std::vector<std::string> lines = Head(20);
  lines.insert(lines.begin() + 2, "");
  Collect c = Read(JoinLines(lines), "%m [%p] ");
  EXPECT_TRUE(c.records.empty());
  for (const Skip& s : c.skips) {
    if (s.line == 3) {
      EXPECT_EQ(s.reason, SkipReason::kBlank);
    } else {
      EXPECT_TRUE(s.reason == SkipReason::kPrefixMismatch || s.reason == SkipReason::kOrphanContinuation);
      EXPECT_EQ(s.hint.find("listening"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace pgsift
