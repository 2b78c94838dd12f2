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

Collect Read(const std::string& data) {
  auto source = MemorySource(data);
  LineReader lines(source.get());
  Collect sink;
  ReadCsvLog(&lines, &sink);
  EXPECT_EQ(sink.AccountedLines(), CountLines(data));
  return sink;
}

// Byte offset where 1-based line `n` starts.
size_t LineStart(const std::string& data, uint64_t n) {
  size_t pos = 0;
  for (uint64_t i = 1; i < n; ++i) pos = data.find('\n', pos) + 1;
  return pos;
}

TEST(CsvLogReader, ClinicRecordsAndFields) {
  std::string data = ReadFixture("logs/clinic.csv");
  Collect c = Read(data);
  EXPECT_TRUE(c.skips.empty());
  ASSERT_EQ(c.records.size(), 1144u);
  EXPECT_EQ(c.BySeverity(), (std::map<std::string, int>{{"ERROR", 4}, {"LOG", 1140}}));

  const Rec& first = c.records[0];
  EXPECT_EQ(first.timestamp, "2026-11-23 09:24:58.165 UTC");
  EXPECT_EQ(first.pid, "4691");
  EXPECT_EQ(first.session_id, "6b04066a.1253");
  EXPECT_EQ(first.severity, "LOG");
  EXPECT_EQ(first.sqlstate, "00000");
  EXPECT_EQ(first.line, 1u);
  EXPECT_EQ(first.lines, 1u);
  EXPECT_EQ(c.records[1].message, "listening on IPv4 address \"127.0.0.1\", port 34937");

  const Rec& auth = c.records[6];
  EXPECT_EQ(auth.user, "postgres");
  EXPECT_EQ(auth.database, "postgres");
  EXPECT_EQ(auth.client, "127.0.0.1:48658");
  EXPECT_EQ(auth.message, "connection authorized: user=postgres database=postgres application_name=clinic-setup");

  auto div = std::find_if(c.records.begin(), c.records.end(), [](const Rec& r) { return r.sqlstate == "22012"; });
  ASSERT_NE(div, c.records.end());
  EXPECT_EQ(div->severity, "ERROR");
  EXPECT_EQ(div->message, "division by zero");
  EXPECT_EQ(div->statement, "SELECT amount / 0 FROM invoices WHERE id = 3;");
  EXPECT_EQ(div->pid, "4706");

  // Quoted newlines: some records span lines, and each starts where the
  // previous one ended.
  size_t multi = 0;
  uint64_t expect_line = 1;
  for (const Rec& r : c.records) {
    EXPECT_EQ(r.line, expect_line);
    expect_line = r.line + r.lines;
    if (r.lines > 1) {
      ++multi;
      EXPECT_NE((r.message + r.detail + r.statement).find('\n'), std::string::npos);
    }
  }
  EXPECT_GT(multi, 0u);
}

TEST(CsvLogReader, PgBadgerCsvLogs) {
  Collect anon = Read(ReadFixture("pgbadger/anonymize.log"));
  EXPECT_TRUE(anon.skips.empty());
  ASSERT_EQ(anon.records.size(), 8u);
  EXPECT_EQ(anon.BySeverity(), (std::map<std::string, int>{{"LOG", 8}}));
  EXPECT_EQ(anon.records[0].timestamp, "2021-01-22 10:03:22.785 CET");
  EXPECT_EQ(anon.records[0].client, "127.0.0.1:52306");
  EXPECT_EQ(anon.records[0].application, "PostgreSQL JDBC Driver");
  EXPECT_EQ(anon.records[0].detail.rfind("parameters: $1 = 'XXXXXXXX', $2 = NULL", 0), 0u);

  Collect week = Read(ReadFixture("pgbadger/weeknumber.log"));
  EXPECT_TRUE(week.skips.empty());
  ASSERT_EQ(week.records.size(), 6u);
  EXPECT_EQ(week.records[2].timestamp, "2021-01-03 07:13:44.120 GMT");
  EXPECT_EQ(week.records[2].message,
            "duration: 0.576 ms  execute pdo_stmt_00000003: select * from \"users\" where \"cn\" = $1 and "
            "\"users\".\"deleted_at\" is null limit 1");
  EXPECT_EQ(week.records[2].application, "");

  // Quoted timestamps, and 25 columns (not a server layout, but accepted).
  Collect nodur = Read(ReadFixture("pgbadger/csv_statement_without_duration.log"));
  EXPECT_TRUE(nodur.skips.empty());
  ASSERT_EQ(nodur.records.size(), 2u);
  EXPECT_EQ(nodur.records[1].timestamp, "2026-05-16 05:20:03.994 UTC");
  EXPECT_EQ(nodur.records[1].message, "statement: SELECT example_schema.health_check()");
  EXPECT_EQ(nodur.records[1].application, "example healthcheck");
  EXPECT_EQ(nodur.records[1].pid, "1002");
}

TEST(CsvLogReader, StderrLogIsAllMalformed) {
  // pg_rawcsv.log is a stderr log despite its name.
  Collect c = Read(ReadFixture("pgbadger/pg_rawcsv.log"));
  EXPECT_TRUE(c.records.empty());
  for (const Skip& s : c.skips) EXPECT_EQ(s.reason, SkipReason::kMalformedCsv);
}

TEST(CsvLogReader, WrongFieldCount) {
  std::string data = ReadFixture("logs/clinic.csv");
  std::string first = data.substr(0, data.find('\n'));
  size_t cut = 0;
  for (int i = 0; i < 7; ++i) cut = first.find(',', cut) + 1;
  std::string broken = first.substr(0, cut - 1) + "\n" + data;
  Collect c = Read(broken);
  ASSERT_EQ(c.skips.size(), 1u);
  EXPECT_EQ(c.skips[0].line, 1u);
  EXPECT_EQ(c.skips[0].lines, 1u);
  EXPECT_EQ(c.skips[0].reason, SkipReason::kMalformedCsv);
  EXPECT_EQ(c.skips[0].hint, "csvlog record has 7 fields, expected 23, 24 or 26");
  EXPECT_EQ(c.records.size(), 1144u);
  EXPECT_EQ(c.records[0].line, 2u);
}

TEST(CsvLogReader, LineCutInsideQuotesResyncs) {
  std::string data = ReadFixture("logs/clinic.csv");
  Collect whole = Read(data);
  // Cut a one-line "duration:" record in the middle of its message.
  auto victim = std::find_if(whole.records.begin() + 100, whole.records.end(),
                             [](const Rec& r) { return r.lines == 1 && r.message.rfind("duration:", 0) == 0; });
  ASSERT_NE(victim, whole.records.end());
  size_t start = LineStart(data, victim->line);
  size_t end = data.find('\n', start);
  size_t msg = data.substr(start, end - start).find(",\"duration:");
  ASSERT_NE(msg, std::string::npos);
  std::string broken = data.substr(0, start + msg + 12) + data.substr(end);
  Collect c = Read(broken);
  ASSERT_EQ(c.skips.size(), 1u);
  EXPECT_EQ(c.skips[0].line, victim->line);
  EXPECT_EQ(c.skips[0].lines, 1u);
  EXPECT_EQ(c.skips[0].reason, SkipReason::kMalformedCsv);
  EXPECT_EQ(c.records.size(), 1143u);
  EXPECT_EQ(c.BySeverity(), (std::map<std::string, int>{{"ERROR", 4}, {"LOG", 1139}}));
}

TEST(CsvLogReader, TruncatedInsideMultiLineRecord) {
  std::string data = ReadFixture("logs/clinic.csv");
  Collect whole = Read(data);
  // Find the last record that spans lines and cut the file inside it.
  auto last = std::find_if(whole.records.rbegin(), whole.records.rend(), [](const Rec& r) { return r.lines > 2; });
  ASSERT_NE(last, whole.records.rend());
  size_t cut = LineStart(data, last->line + 1) + 3;
  std::string broken = data.substr(0, cut);
  Collect c = Read(broken);
  size_t before = static_cast<size_t>(std::distance(whole.records.begin(), last.base()) - 1);
  EXPECT_EQ(c.records.size(), before);
  ASSERT_FALSE(c.skips.empty());
  EXPECT_EQ(c.skips[0].line, last->line);
  EXPECT_EQ(c.skips[0].reason, SkipReason::kMalformedCsv);
  EXPECT_NE(c.skips[0].hint.find("end of input"), std::string::npos);
}

TEST(CsvLogReader, UnterminatedQuoteSwallowingTheRestIsRecovered) {
  std::string data = ReadFixture("logs/clinic.csv");
  // Drop the last line of a multi-line record (the one closing its quote):
  // the open quote runs on over the records after it, which must be read
  // again.
  Collect whole = Read(data);
  auto multi = std::find_if(whole.records.begin() + 500, whole.records.end(), [](const Rec& r) { return r.lines > 2; });
  ASSERT_NE(multi, whole.records.end());
  size_t last = LineStart(data, multi->line + multi->lines - 1);
  std::string broken = data.substr(0, last) + data.substr(data.find('\n', last) + 1);
  Collect c = Read(broken);
  ASSERT_FALSE(c.skips.empty());
  EXPECT_EQ(c.skips[0].line, multi->line);
  EXPECT_EQ(c.skips[0].lines, multi->lines - 1);
  EXPECT_EQ(c.skips[0].reason, SkipReason::kMalformedCsv);
  EXPECT_EQ(c.skips.size(), 1u);
  EXPECT_EQ(c.records.size(), whole.records.size() - 1);
  EXPECT_EQ(c.records.back().message, whole.records.back().message);
}

TEST(CsvLogReader, BlankLines) {
  std::string data = ReadFixture("pgbadger/weeknumber.log");
  std::string spaced = "\n" + data.substr(0, LineStart(data, 3)) + "\n\n" + data.substr(LineStart(data, 3));
  Collect c = Read(spaced);
  EXPECT_EQ(c.records.size(), 6u);
  ASSERT_EQ(c.skips.size(), 3u);
  for (const Skip& s : c.skips) EXPECT_EQ(s.reason, SkipReason::kBlank);
  EXPECT_EQ(c.skips[0].line, 1u);
  EXPECT_EQ(c.records[2].line, 6u);
}

TEST(CsvLogReader, CrlfLineEndings) {
  std::string data = ReadFixture("pgbadger/anonymize.log");
  std::string crlf;
  for (char ch : data) {
    if (ch == '\n') crlf.push_back('\r');
    crlf.push_back(ch);
  }
  Collect c = Read(crlf);
  EXPECT_EQ(c.records.size(), 8u);
  EXPECT_EQ(c.records[0].application, "PostgreSQL JDBC Driver");
}

// Single-line records read from a piece are stable: their views (fields with
// doubled quotes, kept by the LineReader, included) still hold after the
// whole piece was read. Records spanning lines are joined in a buffer the
// next record reuses, so they are passed as not stable.
TEST(CsvLogReader, RecordsOfAPieceAreStable) {
  std::string piece = ReadFixture("logs/clinic.csv");
  LineReader lines(piece, 0);
  ASSERT_TRUE(lines.lines_stay_valid());
  testing::KeepViews sink;
  ReadCsvLog(&lines, &sink);
  ASSERT_EQ(sink.views.size(), sink.copies.records.size());
  size_t stable = 0, doubled = 0, multi = 0;
  for (size_t i = 0; i < sink.views.size(); ++i) {
    const LogRecord& v = sink.views[i];
    const Rec& c = sink.copies.records[i];
    if (c.lines > 1) {
      ++multi;
      EXPECT_FALSE(v.stable) << i;
      continue;
    }
    ASSERT_TRUE(v.stable) << i;
    ++stable;
    doubled += c.message.find('"') != std::string::npos;
    EXPECT_EQ(v.message, c.message) << i;
    EXPECT_EQ(v.statement, c.statement) << i;
    EXPECT_EQ(v.detail, c.detail) << i;
    EXPECT_EQ(v.timestamp, c.timestamp) << i;
    EXPECT_EQ(v.application, c.application) << i;
    EXPECT_EQ(v.client, c.client) << i;
  }
  EXPECT_GT(stable, 100u);
  EXPECT_GT(doubled, 0u);  // "" in a field: unescaped and kept
  EXPECT_GT(multi, 0u);
}

}  // namespace
}  // namespace pgsift
