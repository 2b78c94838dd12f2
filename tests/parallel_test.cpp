// Reading in pieces on several threads gives exactly what one thread reading
// each input whole gives: the report (apart from the per-thread cache
// counters) and the statement stream, in order.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "input/pieces.h"
#include "pgsift/analyze.h"
#include "pgsift/analyze_output.h"
#include "test_util.h"

namespace pgsift {
namespace {

struct Collect : StatementSink {
  std::ostringstream text;
  uint64_t runs = 0;
  void OnStatement(const StatementRun& r) override {
    ++runs;
    text << r.input << ':' << r.line << ' ' << r.time_us << ' ' << r.duration_ms << ' ' << r.fingerprint << ' '
         << r.session << ' ' << static_cast<int>(r.identity) << ' ' << r.values_hash << ' ' << r.application << ' '
         << r.comment << '\n';
  }
  void OnSessionEnd(uint32_t input, uint64_t session, int64_t t) override {
    text << "end " << input << ' ' << session << ' ' << t << '\n';
  }
};

std::string Report(const std::vector<std::string>& inputs, unsigned jobs, size_t piece_bytes, Collect* c,
                   unsigned* threads = nullptr, uint64_t* pieces = nullptr) {
  AnalyzeOptions o;
  o.inputs = inputs;
  o.jobs = jobs;
  o.piece_bytes = piece_bytes;
  o.statements = c;
  auto r = Analyze(o);
  EXPECT_TRUE(r.ok());
  if (threads) *threads = r->threads;
  if (pieces) *pieces = r->pieces;
  std::ostringstream out;
  WriteAnalyzeJson(*r, TableOptions{}, out);
  // The whole JSON, byte for byte: nothing in it may depend on scheduling.
  return out.str();
}

std::vector<std::string> AllLogs() {
  std::vector<std::string> out;
  for (const char* dir : {"logs", "pgbadger"}) {
    for (const auto& e : std::filesystem::directory_iterator(testing::Fixture(dir))) {
      std::string name = e.path().filename().string();
      if (name.find(".log") != std::string::npos || name.find(".csv") != std::string::npos ||
          name.find(".json") != std::string::npos) {
        out.push_back(e.path().string());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Parallel, PiecesOnTwoThreadsEqualOneThreadWhole) {
  auto logs = AllLogs();
  ASSERT_GT(logs.size(), 10u);
  uint64_t total_pieces = 0;
  for (const std::string& log : logs) {
    SCOPED_TRACE(log);
    Collect one, many;
    unsigned threads = 0;
    uint64_t pieces = 0;
    std::string a = Report({log}, 1, 1u << 30, &one);
    std::string b = Report({log}, 2, 2048, &many, &threads, &pieces);  // tiny pieces: many cuts
    EXPECT_EQ(threads, 2u);
    if (std::filesystem::file_size(log) > 64 * 1024 && log.find("syslog") == std::string::npos) {
      EXPECT_GT(pieces, 10u) << "a log this size should be cut";
    }
    total_pieces += pieces;
    EXPECT_EQ(a, b);
    EXPECT_EQ(one.text.str(), many.text.str());
  }
  EXPECT_GT(total_pieces, 100u);
}

TEST(Parallel, ManyFilesAtOnceKeepInputOrder) {
  std::vector<std::string> inputs = {testing::Fixture("logs/clinic.json"), testing::Fixture("logs/clinic.stderr.log"),
                                     testing::Fixture("logs/clinic.csv")};
  Collect one, many;
  EXPECT_EQ(Report(inputs, 1, 1u << 30, &one), Report(inputs, 2, 4096, &many));
  EXPECT_EQ(one.text.str(), many.text.str());
  EXPECT_GT(one.runs, 1000u);
}

TEST(Pieces, NeverCutsBeforeAnAttachmentOrABareDuration) {
  EXPECT_TRUE(IsBareDuration("duration: 0.123 ms"));
  EXPECT_TRUE(IsBareDuration("duration: 12 ms\""));
  EXPECT_FALSE(IsBareDuration("duration: 0.123 ms  statement: select 1"));
  auto prefix = LinePrefix::Compile("%m [%p] ");
  ASSERT_TRUE(prefix.ok());
  PieceCutter cut(LogFormat::kStderr, &*prefix);
  EXPECT_TRUE(cut.IsSafeStart("2026-11-23 10:00:00.123 UTC [42] LOG:  statement: select 1"));
  EXPECT_FALSE(cut.IsSafeStart("2026-11-23 10:00:00.123 UTC [42] DETAIL:  parameters: $1 = '1'"));
  EXPECT_FALSE(cut.IsSafeStart("2026-11-23 10:00:00.123 UTC [42] LOG:  duration: 1.5 ms"));
  EXPECT_FALSE(cut.IsSafeStart("\tand a continuation"));
  PieceCutter csv(LogFormat::kCsv, nullptr);
  EXPECT_TRUE(csv.IsSafeStart(
      "2026-11-23 10:00:00.123 UTC,\"u\",\"d\",42,\"[local]\",6571,1,\"SELECT\",2026-11-23 10:00:00 UTC,3/4,0,LOG,"
      "00000,\"duration: 1 ms  statement: select 1\",,,,,,,,,\"psql\",\"client backend\",,0"));
  EXPECT_FALSE(csv.IsSafeStart(
      "2026-11-23 10:00:00.123 UTC,\"u\",\"d\",42,\"[local]\",6571,1,\"SELECT\",2026-11-23 10:00:00 UTC,3/4,0,LOG,"
      "00000,\"duration: 1 ms\",,,,,,,,,\"psql\",\"client backend\",,0"));
  EXPECT_TRUE(csv.IsSafeStart(
      "2026-11-23 10:00:00.123 UTC,\"u\",\"d\",42,\"[local]\",6571,1,\"SELECT\",2026-11-23 10:00:00 UTC,3/4,0,LOG,"
      "00000,\"statement: select 1,"));
  EXPECT_FALSE(csv.IsSafeStart("select 1, 2, 3"));
}

}  // namespace
}  // namespace pgsift
