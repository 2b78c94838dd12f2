// Server logs in the server's language (lc_messages). The fixtures in
// fixtures/lang/ are one workload logged by a real PostgreSQL 15 with
// lc_messages = C and with ja_JP.UTF-8 (fixtures/lang/make_lang_logs.sh);
// both end with one session switched to Japanese. Read in Japanese, the
// workload must give what the English run gives.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "input/i18n.h"
#include "input/pieces.h"
#include "pgsift/analyze.h"
#include "pgsift/assembler.h"
#include "pgsift/input.h"
#include "pgsift/prefix.h"
#include "pgsift/readers.h"
#include "test_util.h"

namespace pgsift {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Whether s is valid UTF-8 (a plain scan, independent of the reader's).
bool ValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

struct Figures {
  uint64_t calls = 0, errors = 0, temp_files = 0, durations_without_statement = 0;
  std::map<std::string, uint64_t> errors_by_sqlstate;
  std::vector<uint64_t> events;             // every kind but "other"
  std::map<std::string, uint64_t> queries;  // normalized -> calls
  std::map<std::string, uint64_t> timed;    // normalized -> calls with a duration
  std::map<std::string, uint64_t> prepares;
  std::map<std::string, std::map<std::string, uint64_t>> query_errors;  // normalized -> SQLSTATE -> n
  std::map<std::string, uint64_t> users, applications;
  uint32_t languages = 0;
  uint64_t skipped = 0;
  bool operator==(const Figures&) const = default;
};

void PrintTo(const Figures& f, std::ostream* os) {
  *os << "calls " << f.calls << " errors " << f.errors << " events";
  for (uint64_t e : f.events) *os << ' ' << e;
  *os << " users";
  for (const auto& [u, n] : f.users) *os << ' ' << u << '=' << n;
  *os << " languages " << i18n::LanguageList(f.languages) << " skipped " << f.skipped;
}

Figures Read(const std::string& file, unsigned jobs = 1, size_t piece_bytes = 0) {
  AnalyzeOptions o;
  o.inputs = {testing::Fixture("lang/" + file)};
  o.jobs = jobs;
  o.piece_bytes = piece_bytes;
  if (file.ends_with(".log")) {
    o.prefix = Slurp(testing::Fixture("lang/prefix"));
    o.prefix_given = true;
  }
  auto r = Analyze(o);
  EXPECT_TRUE(r.ok());
  Figures f;
  const WorkloadSummary& s = r->workload.summary;
  f.calls = s.calls;
  f.errors = s.errors;
  f.temp_files = s.temp_files;
  f.durations_without_statement = s.durations_without_statement;
  f.errors_by_sqlstate = s.errors_by_sqlstate;
  for (size_t k = 0; k < static_cast<size_t>(EventKind::kCount_); ++k) {
    if (static_cast<EventKind>(k) != EventKind::kOther) f.events.push_back(s.events_by_kind[k]);
  }
  for (const auto& [fp, q] : r->workload.queries) {
    f.queries[q.normalized] += q.calls;
    f.timed[q.normalized] += q.calls_with_duration;
    f.prepares[q.normalized] += q.prepares;
    for (const auto& [state, n] : q.errors_by_sqlstate) f.query_errors[q.normalized][state] += n;
  }
  for (const auto& [u, b] : s.by_user) f.users[u] = b.calls;
  for (const auto& [a, b] : s.by_application) f.applications[a] = b.calls;
  for (const InputReport& in : r->inputs) {
    f.languages |= i18n::DetectedLanguages(in.counts.message_languages, in.counts.message_languages_shared);
    f.skipped += in.counts.skipped_total();
  }
  return f;
}

uint32_t Bit(std::string_view lang) {
  for (size_t b = 0; !i18n::LanguageName(b).empty(); ++b) {
    if (i18n::LanguageName(b) == lang) return uint32_t{1} << b;
  }
  return 0;
}

TEST(LangLogs, JapaneseReadsAsEnglish) {
  Figures en = Read("C.json");
  ASSERT_GT(en.calls, 50u);
  EXPECT_GT(en.events[static_cast<size_t>(EventKind::kDurationOnly)], 0u);  // log_statement + log_duration
  EXPECT_GT(en.query_errors.size(), 0u);
  EXPECT_EQ(en.languages, Bit("en") | Bit("ja")) << "the C run ends with one session in Japanese";
  for (const char* file : {"C.csv", "C.stderr.log", "ja_JP.json", "ja_JP.csv", "ja_JP.stderr.log"}) {
    SCOPED_TRACE(file);
    Figures ja = Read(file);
    if (file[0] == 'C') {
      EXPECT_EQ(ja, en);
      continue;
    }
    EXPECT_EQ(ja.skipped, 0u);
    EXPECT_EQ(ja.languages, Bit("ja"));
    ja.languages = en.languages;
    EXPECT_EQ(ja, en);
    EXPECT_EQ(ja.users.count("[unknown]"), en.users.count("[unknown]"));
  }
}

// A Georgian server cuts the "CPU:" line of its autovacuum report inside a
// character (a fixed-size buffer in PostgreSQL): the jsonlog line is not
// valid UTF-8, yet it is a record like any other, not a skipped line.
TEST(LangLogs, CharacterCutByTheServerLosesNothing) {
  std::string log = Slurp(testing::Fixture("lang/ka_GE.json"));
  ASSERT_FALSE(ValidUtf8(log));
  Figures en = Read("C.json");
  Figures ka = Read("ka_GE.json");
  EXPECT_EQ(ka.skipped, 0u);
  std::istringstream truth(Slurp(testing::Fixture("lang/ka_GE.truth")));
  uint64_t vacuums = 0, analyzes = 0;
  truth >> vacuums >> analyzes;
  EXPECT_EQ(ka.events[static_cast<size_t>(EventKind::kAutovacuum)], vacuums);
  EXPECT_EQ(ka.events[static_cast<size_t>(EventKind::kAutoanalyze)], analyzes);
  EXPECT_EQ(ka.languages & Bit("ka"), Bit("ka"));
  ka.languages = en.languages;
  EXPECT_EQ(ka, en);
}

// Cut into small pieces on two threads: a Japanese DETAIL/STATEMENT ("詳細",
// "文") or a bare "期間: N ミリ秒" is never the start of a piece, so nothing
// changes.
TEST(LangLogs, PiecesOfAJapaneseLogGiveTheSame) {
  for (const char* file : {"ja_JP.stderr.log", "ja_JP.csv", "ja_JP.json"}) {
    SCOPED_TRACE(file);
    Figures whole = Read(file);
    for (size_t piece = 256; piece <= 4096; piece += 128) EXPECT_EQ(Read(file, 2, piece), whole) << piece;
  }
}

// The lines a piece may not start with (attachments, bare durations) are
// the same in the Japanese log as in the English one of the same workload.
TEST(LangLogs, CutPointsAsInEnglish) {
  auto prefix = LinePrefix::Compile(Slurp(testing::Fixture("lang/prefix")));
  ASSERT_TRUE(prefix.ok());
  auto unsafe = [&](const std::string& file, LogFormat format) {
    PieceCutter cutter(format, &*prefix);
    std::string log = Slurp(testing::Fixture("lang/" + file));
    size_t n = 0, pos = 0;
    while (pos < log.size()) {
      size_t nl = log.find('\n', pos);
      if (nl == std::string::npos) nl = log.size();
      std::string_view line(log.data() + pos, nl - pos);
      pos = nl + 1;
      LogRecord rec;
      bool starts = format == LogFormat::kStderr ? prefix->Match(line, &rec)
                    : format == LogFormat::kJson
                        ? line.starts_with("{\"timestamp\":")
                        : line.size() > 20 && line[0] == '2' && line[4] == '-' && line[10] == ' ';
      if (starts && !cutter.IsSafeStart(line)) ++n;
    }
    return n;
  };
  for (auto [ext, format] : {std::pair{".stderr.log", LogFormat::kStderr}, std::pair{".csv", LogFormat::kCsv},
                             std::pair{".json", LogFormat::kJson}}) {
    SCOPED_TRACE(ext);
    size_t en = unsafe(std::string("C") + ext, format);
    EXPECT_GT(en, 0u);
    EXPECT_EQ(unsafe(std::string("ja_JP") + ext, format), en);
  }
}

// Who each event is from: a connection not yet authenticated is logged as
// "[不明]@[不明]" by a Japanese server, "[unknown]@[unknown]" by an English
// one; both are "[unknown]", never a user, database or application name.
struct Identities : EventSink {
  std::map<std::string, uint64_t> seen;  // "user|database|application" -> events
  void OnEvent(const Event& e) override {
    ++seen[std::string(e.user) + "|" + std::string(e.database) + "|" + std::string(e.application)];
  }
};

std::map<std::string, uint64_t> EventIdentities(const std::string& file) {
  std::string data = Slurp(testing::Fixture("lang/" + file));
  auto prefix = LinePrefix::Compile(Slurp(testing::Fixture("lang/prefix")));
  EXPECT_TRUE(prefix.ok());
  Identities ids;
  Assembler assembler(&ids);
  LineReader lines(data, 0);
  if (file.ends_with(".log")) {
    ReadStderr(&lines, *prefix, &assembler);
  } else {
    ReadJsonLog(&lines, &assembler);
  }
  assembler.Flush();
  return ids.seen;
}

TEST(LangLogs, UnknownIsNotAName) {
  auto en = EventIdentities("C.stderr.log");
  ASSERT_GT(en.count("[unknown]|[unknown]|[unknown]"), 0u);
  EXPECT_EQ(EventIdentities("ja_JP.stderr.log"), en);
  EXPECT_EQ(EventIdentities("ja_JP.json"), EventIdentities("C.json"));
}

// The severities of the Japanese log start records as English ones do; an
// English line is not read as another language.
TEST(LangLogs, TranslatedSeverities) {
  std::string log = Slurp(testing::Fixture("lang/ja_JP.stderr.log"));
  auto prefix = LinePrefix::Compile(Slurp(testing::Fixture("lang/prefix")));
  ASSERT_TRUE(prefix.ok());
  std::map<std::string, std::string> seen;  // severity as written -> English
  size_t pos = 0;
  while (pos < log.size()) {
    size_t nl = log.find('\n', pos);
    std::string_view line(log.data() + pos, (nl == std::string::npos ? log.size() : nl) - pos);
    pos = nl == std::string::npos ? log.size() : nl + 1;
    LogRecord rec;
    if (line.empty() || line[0] == '\t' || !prefix->Match(line, &rec)) continue;
    std::string_view english = i18n::EnglishSeverity(rec.severity);
    seen[std::string(rec.severity)] = english.empty() ? std::string(rec.severity) : std::string(english);
  }
  // A Japanese server writes DETAIL and STATEMENT in Japanese: both found,
  // both mapped back.
  int attachments = 0;
  for (const auto& [written, english] : seen) {
    if (english == "DETAIL" || english == "STATEMENT") {
      EXPECT_NE(written, english);
      ++attachments;
    }
  }
  EXPECT_EQ(attachments, 2);
  EXPECT_TRUE(i18n::EnglishSeverity("DETAIL").empty());
  EXPECT_TRUE(i18n::EnglishSeverity("LOG").empty());
  size_t n = 0;
  EXPECT_FALSE(i18n::StartsWithTranslatedSeverity("LOG:  x", &n));
}

}  // namespace
}  // namespace pgsift
