#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
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
  ReadJsonLog(&lines, &sink);
  EXPECT_EQ(sink.AccountedLines(), CountLines(data));
  return sink;
}

TEST(JsonLogReader, ClinicRecordsAndFields) {
  Collect c = Read(ReadFixture("logs/clinic.json"));
  EXPECT_TRUE(c.skips.empty());
  ASSERT_EQ(c.records.size(), 1144u);
  EXPECT_EQ(c.BySeverity(), (std::map<std::string, int>{{"ERROR", 4}, {"LOG", 1140}}));

  const Rec& first = c.records[0];
  EXPECT_EQ(first.timestamp, "2026-11-23 09:24:58.165 UTC");
  EXPECT_EQ(first.pid, "4691");
  EXPECT_EQ(first.session_id, "6b04066a.1253");
  EXPECT_EQ(first.client, "");
  EXPECT_EQ(first.line, 1u);
  EXPECT_EQ(c.records[1].message, "listening on IPv4 address \"127.0.0.1\", port 34937");

  const Rec& auth = c.records[6];
  EXPECT_EQ(auth.user, "postgres");
  EXPECT_EQ(auth.database, "postgres");
  EXPECT_EQ(auth.client, "127.0.0.1:48658");

  auto div = std::find_if(c.records.begin(), c.records.end(), [](const Rec& r) { return r.sqlstate == "22012"; });
  ASSERT_NE(div, c.records.end());
  EXPECT_EQ(div->severity, "ERROR");
  EXPECT_EQ(div->message, "division by zero");
  EXPECT_EQ(div->statement, "SELECT amount / 0 FROM invoices WHERE id = 3;");
  EXPECT_EQ(div->pid, "4706");
}

// The csvlog and jsonlog of one run hold the same records (in a slightly
// different order: backends write them concurrently).
TEST(JsonLogReader, SameRecordsAsCsvLogOfTheSameRun) {
  Collect json = Read(ReadFixture("logs/clinic.json"));
  std::string csv_data = ReadFixture("logs/clinic.csv");
  auto source = MemorySource(csv_data);
  LineReader lines(source.get());
  Collect csv;
  ReadCsvLog(&lines, &csv);
  ASSERT_EQ(json.records.size(), csv.records.size());
  EXPECT_EQ(json.BySeverity(), csv.BySeverity());
  auto by_key = [](const Rec& a, const Rec& b) { return a.Key() < b.Key(); };
  std::sort(json.records.begin(), json.records.end(), by_key);
  std::sort(csv.records.begin(), csv.records.end(), by_key);
  size_t with_query_id = 0;
  for (size_t i = 0; i < json.records.size(); ++i) {
    ASSERT_TRUE(json.records[i].Key() == csv.records[i].Key()) << "record " << i << ": " << json.records[i].message;
    // jsonlog leaves out state_code 00000.
    const std::string& csv_state = csv.records[i].sqlstate;
    EXPECT_EQ(json.records[i].sqlstate, csv_state == "00000" ? "" : csv_state);
    EXPECT_EQ(json.records[i].query_id, csv.records[i].query_id);
    if (json.records[i].query_id != "0") ++with_query_id;
  }
  EXPECT_GT(with_query_id, 100u);
}

TEST(JsonLogReader, GzipThroughOpenInput) {
  Result<std::unique_ptr<ByteSource>> in = OpenInput(testing::Fixture("pgbadger/pg_vacuums.json.gz"));
  ASSERT_TRUE(in.ok()) << in.error();
  LineReader lines(in->get());
  Collect c;
  ReadJsonLog(&lines, &c);
  EXPECT_TRUE(lines.error().empty());
  EXPECT_TRUE(c.skips.empty());
  ASSERT_EQ(c.records.size(), 3544u);
  EXPECT_EQ(c.AccountedLines(), 3544u);
  EXPECT_EQ(c.BySeverity(), (std::map<std::string, int>{{"LOG", 3544}}));
  EXPECT_EQ(c.records[0].pid, "58151");
  EXPECT_EQ(c.records[0].timestamp, "2024-06-27 00:00:07.369 CEST");
  EXPECT_EQ(c.records[0].message.rfind("automatic analyze of table \"testdb.sales.tab_shop_stats\"\nI/O timings:", 0),
            0u);
}

TEST(JsonLogReader, MalformedLinesAreSkippedWithoutContent) {
  std::string data = ReadFixture("logs/clinic.json");
  size_t second = data.find('\n') + 1;
  size_t third = data.find('\n', second) + 1;
  std::string line2 = data.substr(second, third - second - 1);
  // Line 2 cut in half; line 3 is a JSON number taken from line 1; a blank line.
  std::string pid_value = "4691";
  ASSERT_NE(data.find("\"pid\":4691"), std::string::npos);
  std::string broken =
      data.substr(0, second) + line2.substr(0, line2.size() / 2) + "\n" + pid_value + "\n\n" + data.substr(third);
  Collect c = Read(broken);
  EXPECT_EQ(c.records.size(), 1143u);
  ASSERT_EQ(c.skips.size(), 3u);
  EXPECT_EQ(c.skips[0].line, 2u);
  EXPECT_EQ(c.skips[0].reason, SkipReason::kMalformedJson);
  EXPECT_EQ(c.skips[0].hint.find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(c.skips[1].line, 3u);
  EXPECT_EQ(c.skips[1].reason, SkipReason::kMalformedJson);
  EXPECT_EQ(c.skips[2].line, 4u);
  EXPECT_EQ(c.skips[2].reason, SkipReason::kBlank);
  EXPECT_EQ(c.records[1].line, 5u);

  // Trailing bytes after the object make the line invalid too.
  std::string first = data.substr(0, second - 1);
  Collect t = Read(first + "}\n");
  ASSERT_EQ(t.skips.size(), 1u);
  EXPECT_EQ(t.skips[0].reason, SkipReason::kMalformedJson);
}

}  // namespace
}  // namespace pgsift
