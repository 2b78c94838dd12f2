// The jsonlog fast path (analyzer/input/jsonlog_scan.cpp) against the DOM
// path: on every line of every jsonlog fixture, on edge lines and on
// mutations of real lines, whatever the scanner accepts the DOM parses to the
// same fields; and real server lines are all accepted by the scanner.
#include "input/jsonlog_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "pgsift/input.h"
#include "record_collector.h"
#include "test_util.h"

namespace pgsift::input_internal {
namespace {

using testing::Collect;
using testing::ReadFixture;

std::vector<std::string> Lines(const std::string& data) {
  std::vector<std::string> out;
  LineReader lines(data, 0);
  std::string_view line;
  while (lines.Next(&line)) out.emplace_back(line);
  return out;
}

std::string Show(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

struct Outcome {
  bool fast_accepted = false;
  JsonLogDom::Status dom_status = JsonLogDom::Status::kOk;
  JsonLogFields fast;
  JsonLogFields dom;
};

// Both paths on one line; fails the test when the scanner accepts a line the
// DOM rejects or reads differently.
class Differ {
 public:
  Outcome Check(const std::string& line) {
    Outcome o;
    o.fast_accepted = scanner_.Scan(line, &o.fast);
    std::string error;
    o.dom_status = dom_.Parse(line, &o.dom, &error);
    if (!o.fast_accepted) return o;
    ++accepted_;
    EXPECT_EQ(o.dom_status, JsonLogDom::Status::kOk) << "scanner accepted what the DOM rejects: " << Show(line);
    if (o.dom_status != JsonLogDom::Status::kOk) return o;
    EXPECT_EQ(o.fast.has_port, o.dom.has_port) << Show(line);
    for (size_t k = 0; k < kJsonKeyCount; ++k) {
      EXPECT_EQ(Show(o.fast.values[k]), Show(o.dom.values[k])) << "key " << k << " of " << Show(line);
    }
    return o;
  }
  size_t accepted() const { return accepted_; }

 private:
  JsonLogScanner scanner_;
  JsonLogDom dom_;
  size_t accepted_ = 0;
};

bool IsJsonLog(const std::string& data) { return data.rfind("{\"timestamp\":", 0) == 0; }

// Every fixture file whose first line is a jsonlog object (plain or gzip).
std::vector<std::string> JsonLogFixtures() {
  std::vector<std::string> out;
  namespace fs = std::filesystem;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(testing::Fixture(""))) {
    if (!e.is_regular_file() || e.file_size() > (64u << 20)) continue;
    std::string ext = e.path().extension().string();
    if (ext == ".bz2" || ext == ".zst" || ext == ".xz") continue;
    std::string rel = fs::relative(e.path(), testing::Fixture("")).string();
    if (IsJsonLog(ReadFixture(rel).substr(0, 16))) out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(JsonLogScan, FixturesFoundIncludeRealServerLogs) {
  std::vector<std::string> files = JsonLogFixtures();
  EXPECT_GE(files.size(), 8u);
  EXPECT_NE(std::find(files.begin(), files.end(), "logs/clinic.json"), files.end());
  EXPECT_NE(std::find(files.begin(), files.end(), "pgbadger/pg_vacuums.json.gz"), files.end());
}

// Every line of every jsonlog fixture: same fields, and every line the DOM
// parses (all written by a real PostgreSQL) is taken by the fast path, but
// for the lines that are not valid UTF-8 (a server that cut a translated
// message inside a character, fixtures/lang/ka_GE.json): the fast path
// declines them and the DOM reads them with '?' for the cut bytes.
TEST(JsonLogScan, EveryFixtureLineSameFieldsAndAllAccepted) {
  size_t total = 0;
  for (const std::string& rel : JsonLogFixtures()) {
    Differ d;
    size_t dom_ok = 0;
    for (const std::string& line : Lines(ReadFixture(rel))) {
      if (line.empty()) continue;
      Outcome o = d.Check(line);
      if (!input_internal::JsonLogValidUtf8(line)) {
        EXPECT_EQ(o.dom_status, JsonLogDom::Status::kOk) << rel;
        continue;
      }
      if (o.dom_status == JsonLogDom::Status::kOk) ++dom_ok;
    }
    EXPECT_EQ(d.accepted(), dom_ok) << rel << ": server lines the fast path declined";
    EXPECT_GT(dom_ok, 0u) << rel;
    total += d.accepted();
  }
  EXPECT_GT(total, 5000u);
}

// Whole files through the reader both ways: the same records and skips.
void ExpectSameReads(const std::string& data, const std::string& what) {
  Collect fast;
  Collect dom;
  {
    LineReader lines(data, 0);
    ReadJsonLogWith(&lines, &fast, true);
  }
  {
    LineReader lines(data, 0);
    ReadJsonLogWith(&lines, &dom, false);
  }
  ASSERT_EQ(fast.records.size(), dom.records.size()) << what;
  for (size_t i = 0; i < fast.records.size(); ++i) {
    const testing::Rec& a = fast.records[i];
    const testing::Rec& b = dom.records[i];
    EXPECT_TRUE(a.Key() == b.Key()) << what << " record " << i;
    EXPECT_EQ(a.sqlstate, b.sqlstate) << what << " record " << i;
    EXPECT_EQ(a.query_id, b.query_id) << what << " record " << i;
    EXPECT_EQ(a.line, b.line) << what << " record " << i;
    EXPECT_EQ(a.lines, b.lines) << what << " record " << i;
  }
  ASSERT_EQ(fast.skips.size(), dom.skips.size()) << what;
  for (size_t i = 0; i < fast.skips.size(); ++i) {
    EXPECT_EQ(fast.skips[i].line, dom.skips[i].line) << what;
    EXPECT_EQ(fast.skips[i].reason, dom.skips[i].reason) << what;
    EXPECT_EQ(fast.skips[i].hint, dom.skips[i].hint) << what;
  }
}

TEST(JsonLogScan, EveryFixtureFileSameRecordsBothPaths) {
  for (const std::string& rel : JsonLogFixtures()) ExpectSameReads(ReadFixture(rel), rel);
}

std::vector<std::string> EdgeLines() {
  std::vector<std::string> v = {
      "{}",
      R"({"message":"a\"b\\c\/d\be\ff\ng\rh\ti"})",
      R"({"message":"\u0000x","detail":"\u0001\u001f\u007f"})",
      R"({"message":"\u00e9\u20AC\uD83D\uDE00\ud83d\ude00"})",
      R"({"message":"\uD83D"})",
      R"({"message":"\uDE00"})",
      R"({"message":"\uD83Dx"})",
      R"({"message":"\uD83D\u0041"})",
      R"({"message":"\uD83D\uD83D"})",
      R"({"message":"\uDE00\uD83D"})",
      R"({"message":"\uZZZZ"})",
      R"({"message":"\u12"})",
      R"({"message":"\x"})",
      R"({"message":"\'"})",
      "{\"message\":\"\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80\"}",
      "{\"message\":\"\xC3\"}",
      "{\"message\":\"\xED\xA0\x80\"}",
      "{\"message\":\"\xF4\x90\x80\x80\"}",
      "{\"message\":\"\xC0\xAF\"}",
      "{\"message\":\"a\x7F\"}",
      "{\"other\":\"\xFF\",\"pid\":1}",
      "{\"message\":\"a\x01z\"}",
      "{\"message\":\"a\tb\"}",
      std::string("{\"message\":\"a") + '\0' + "b\"}",
      std::string("{\"pid\":1}") + '\0',
      R"({"pid":1,"pid":2})",
      R"({"pid":1,"pid":true})",
      R"({"pid":1,"pid":false})",
      R"({"pid":1,"pid":null})",
      R"({"pid":1,"pid":"x"})",
      R"({"message":"a\nb","message":"c\td"})",
      R"({"message":"a\nb","message":true})",
      R"({"pid":1,"pid":{"a":1}})",
      R"({"pid":[1,2]})",
      R"({"x":{"pid":5},"pid":6})",
      R"({"remote_host":"h","remote_port":5432})",
      R"({"remote_host":"h","remote_port":null})",
      R"({"remote_host":"h","remote_port":5432,"remote_port":null})",
      R"({"remote_host":"h","remote_port":""})",
      R"({"remote_host":"h","remote_port":"p\"q"})",
      R"({"remote_port":true})",
      R"({"pid":0})",
      R"({"pid":-1})",
      R"({"pid":123456789012345678})",
      R"({"pid":1234567890123456789})",
      R"({"pid":9223372036854775807})",
      R"({"pid":9223372036854775808})",
      R"({"pid":-9223372036854775808})",
      R"({"pid":-9223372036854775809})",
      R"({"pid":18446744073709551615})",
      R"({"pid":18446744073709551616})",
      R"({"pid":123456789012345678901234})",
      R"({"pid":00})",
      R"({"pid":01})",
      R"({"pid":-0})",
      R"({"pid":-00})",
      R"({"pid":0.5})",
      R"({"pid":1e3})",
      R"({"pid":1E+3})",
      R"({"pid":-0.0})",
      R"({"pid":1.})",
      R"({"pid":-})",
      R"({"pid":+1})",
      R"({"pid":12345678x})",
      R"({"pid":1234567.5})",
      R"({"pid":123456789e1})",
      R"({"pid":1234567812345678,"user":"u"})",
      R"({"pid":12345678:})",
      "{\"pid\":12345678\xff}",
      R"({"pid":.5})",
      R"({"query_id":-8939865475011209312})",
      R"({"other":1e999,"pid":2})",
      R"({"other":-12,"pid":3})",
      R"({ "pid":1})",
      R"({"pid" :1})",
      R"({"pid": 1})",
      R"({"pid":1 })",
      R"({"pid":1} )",
      " {\"pid\":1}",
      "{\"pid\":1}\t",
      R"({"pid":1)",
      R"({"pid":)",
      R"({"pid")",
      R"({"pi)",
      R"({)",
      R"({"message":"abc)",
      R"({"message":"abc\)",
      R"({"message":"abc\u00)",
      R"({"pid":1}})",
      R"({"pid":1},)",
      R"({"pid":1}x)",
      R"({"pid":1}{"pid":2})",
      R"(1)",
      R"([])",
      R"([{"pid":1}])",
      R"("s")",
      R"(null)",
      R"(true)",
      R"({"p\u0069d":7})",
      R"({"pid\"":7})",
      R"({"":1})",
      R"({"pid":1,})",
      R"({,"pid":1})",
      R"({"pid"1})",
      R"({"pid"::1})",
      R"({"pid":1,,"user":"u"})",
      R"({pid:1})",
      R"({'pid':1})",
      R"({"pid":nul})",
      R"({"pid":nullx})",
      R"({"pid":truex})",
      R"({"pid":fals})",
      R"({"pid":NaN})",
      R"({"x":"\uD83D\uDE00","y":-12,"z":false,"w":null,"pid":3})",
  };
  // Special bytes at every offset of a long value, for the 8-byte scan.
  const std::vector<std::string> specials = {"\\\"", "\\\\",     "\\n", "\\u00e9", "\x01", "\x1f", " ",
                                             "\x7f", "\xc3\xa9", "\"",  "\xff",    "}",    "\\"};
  for (const std::string& sp : specials) {
    for (size_t at = 0; at < 20; ++at) {
      std::string value = std::string(at, 'a') + sp + std::string(19 - at, 'b');
      v.push_back("{\"message\":\"" + value + "\",\"pid\":1}");
      v.push_back("{\"message\":\"" + value + "\"}");
      v.push_back("{\"other\":\"" + value + "\",\"pid\":1}");
    }
  }
  return v;
}

TEST(JsonLogScan, EdgeLinesAgree) {
  Differ d;
  for (const std::string& line : EdgeLines()) d.Check(line);
  EXPECT_GT(d.accepted(), 100u);
}

TEST(JsonLogScan, EdgeLinesSameRecordsAndSkipsThroughTheReader) {
  std::string data;
  for (const std::string& line : EdgeLines()) data += line + "\n";
  ExpectSameReads(data, "edge lines");
}

// The scanner finds strings through a bitmap of the line's quotes and
// backslashes, 64 bytes a word: quotes, escapes and a raw control byte at
// every offset of keys and values across the word boundaries, the line's
// length on both sides of every multiple of 64, agree with the DOM.
TEST(JsonLogScan, QuotesAndEscapesAtEveryOffsetAcrossWords) {
  Differ d;
  size_t lines = 0;
  for (size_t pad = 0; pad < 70; pad += 3) {
    std::string head = R"({"ps":")" + std::string(pad, 'p') + R"(","message":")";
    for (size_t len = 0; len < 140; ++len) {
      std::string plain(len, 'm');
      d.Check(head + plain + R"(","pid":7})");
      ++lines;
      for (size_t at = 0; at < len; at += 5) {
        for (const char* insert : {"\\\"", "\\\\", "\\n", "\\u00e9", "\"", "\\", "\t", "\xC3\xA9"}) {
          d.Check(head + plain.substr(0, at) + insert + plain.substr(at) + R"(","pid":7})");
          ++lines;
        }
      }
    }
  }
  // Three in eight insertions make invalid JSON; the rest must be accepted.
  EXPECT_GT(d.accepted(), lines / 2);
}

// What the scanner does with the lines PostgreSQL may write, and what it
// leaves to the DOM.
TEST(JsonLogScan, AcceptsServerShapesDeclinesTheRest) {
  JsonLogScanner s;
  JsonLogFields f;
  ASSERT_TRUE(s.Scan(R"({"message":"a\"b\\c\/d\be\ff\ng\rh\ti","pid":42,"query_id":-8939865475011209312})", &f));
  EXPECT_EQ(f.values[kJsonMessage], "a\"b\\c/d\be\ff\ng\rh\ti");
  EXPECT_EQ(f.values[kJsonPid], "42");
  EXPECT_EQ(f.values[kJsonQueryId], "-8939865475011209312");

  ASSERT_TRUE(s.Scan(R"({"message":"\u0000x","detail":"\u00e9\uD83D\uDE00"})", &f));
  EXPECT_EQ(f.values[kJsonMessage], std::string_view("\0x", 2));
  EXPECT_EQ(f.values[kJsonDetail], "\xC3\xA9\xF0\x9F\x98\x80");

  ASSERT_TRUE(s.Scan(R"({"pid":1,"pid":true,"user":"u","user":null,"remote_port":5432,"remote_port":null})", &f));
  EXPECT_EQ(f.values[kJsonPid], "1");
  EXPECT_EQ(f.values[kJsonUser], "");
  EXPECT_TRUE(f.has_port);
  EXPECT_EQ(f.values[kJsonRemotePort], "");

  ASSERT_TRUE(s.Scan(R"({"pid":18446744073709551615})", &f));
  EXPECT_EQ(f.values[kJsonPid], "18446744073709551615");

  for (const char* declined : {R"({"pid":{"a":1}})", R"({ "pid":1})", R"({"pid":1.5})", R"({"pid":-0})",
                               R"({"p\u0069d":7})", R"({"message":"\uD83D"})", R"({"pid":18446744073709551616})",
                               "{\"message\":\"\xC3\"}", R"({"pid":1)", R"({"pid":1}})", "[]"}) {
    EXPECT_FALSE(s.Scan(declined, &f)) << declined;
  }
}

// Mutations of real lines (every prefix; one byte replaced by a JSON-ish
// byte at every offset): the scanner never accepts what the DOM rejects or
// reads differently.
TEST(JsonLogScan, MutatedServerLinesAgree) {
  std::vector<std::string> lines = Lines(ReadFixture("logs/clinic.json"));
  std::vector<std::string> picked;
  for (const std::string& line : lines) {
    bool interesting = line.find('\\') != std::string::npos || line.find("remote_port") != std::string::npos ||
                       line.find("\"statement\"") != std::string::npos;
    if (picked.size() < 4 || (interesting && picked.size() < 24)) picked.push_back(line);
  }
  ASSERT_EQ(picked.size(), 24u);
  const std::string bytes = std::string("\"\\{}[],: u0-.eE1nt\x01\xff\xc3") + '\0';
  Differ d;
  for (const std::string& line : picked) {
    for (size_t n = 0; n <= line.size(); ++n) d.Check(line.substr(0, n));
    for (size_t i = 0; i < line.size(); ++i) {
      for (char b : bytes) {
        std::string m = line;
        m[i] = b;
        d.Check(m);
      }
    }
  }
  EXPECT_GT(d.accepted(), 1000u);
}

// Records read from a piece are stable: their views (unescaped values and
// "host:port" included) stay right after the next lines were read.
TEST(JsonLogScan, RecordsOfAPieceAreStable) {
  std::string piece = ReadFixture("logs/clinic.json");
  piece += R"({"timestamp":"2026-11-23 07:14:48.591 UTC","pid":7,"remote_host":"10.0.0.1","remote_port":5432,)"
           R"("error_severity":"LOG","message":"statement: SELECT 'a\nb' \"q\"","detail":"x\ty"})"
           "\n";
  LineReader lines(piece, 0);
  ASSERT_TRUE(lines.lines_stay_valid());
  testing::KeepViews sink;
  ReadJsonLogWith(&lines, &sink, /*fast_path=*/true);
  ASSERT_EQ(sink.views.size(), sink.copies.records.size());
  ASSERT_GT(sink.views.size(), 100u);
  size_t stable = 0;
  for (size_t i = 0; i < sink.views.size(); ++i) {
    const LogRecord& v = sink.views[i];
    const testing::Rec& c = sink.copies.records[i];
    if (!v.stable) continue;
    ++stable;
    EXPECT_EQ(v.message, c.message) << i;
    EXPECT_EQ(v.client, c.client) << i;
    EXPECT_EQ(v.detail, c.detail) << i;
    EXPECT_EQ(v.timestamp, c.timestamp) << i;
    EXPECT_EQ(v.user, c.user) << i;
  }
  EXPECT_EQ(stable, sink.views.size());  // every line of a real server is taken by the fast path
  EXPECT_EQ(sink.copies.records.back().message, "statement: SELECT 'a\nb' \"q\"");
  EXPECT_EQ(sink.copies.records.back().client, "10.0.0.1:5432");
}

}  // namespace
}  // namespace pgsift::input_internal
