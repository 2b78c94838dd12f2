// Server logs in the server's language (lc_messages). The fixtures in
// fixtures/lang/ are one workload logged by a real PostgreSQL 15 with
// lc_messages = C and with ja_JP.UTF-8 (fixtures/lang/make_lang_logs.sh);
// both end with one session switched to Japanese. Read in Japanese, the
// workload must give what the English run gives.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "pgsift/i18n.h"
#include "input/pieces.h"
#include "pgsift/analyze.h"
#include "pgsift/assembler.h"
#include "pgsift/input.h"
#include "pgsift/prefix.h"
#include "pgsift/readers.h"
#include "test_util.h"

namespace pgsift {
namespace {

using testing::Slurp;

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
  o.inputs = {file.starts_with("/") ? file : testing::Fixture("lang/" + file)};
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

// A scratch file of this test process.
std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/pgsift-lang-" + std::to_string(::getpid()) + "-" + name;
}

// The lines of a log, without their '\n'.
std::vector<std::string_view> Lines(const std::string& log) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < log.size()) {
    size_t nl = log.find('\n', pos);
    out.emplace_back(log.data() + pos, (nl == std::string::npos ? log.size() : nl) - pos);
    pos = nl == std::string::npos ? log.size() : nl + 1;
  }
  return out;
}

uint32_t Bit(std::string_view lang) {
  for (size_t b = 0; !i18n::LanguageName(b).empty(); ++b) {
    if (i18n::LanguageName(b) == lang) return uint32_t{1} << b;
  }
  return 0;
}

// PostgreSQL 10-18's catalogs (fixtures/lang/catalogs/pgNN/LANG.po, excerpts
// of the real catalogs). Only PostgreSQL 15 logs in other languages on this
// machine (the npm builds of the other majors have no NLS), so each message a
// real PostgreSQL 15 logged in English (fixtures/lang/C.json) is written the
// way a server of each major and language writes it: its msgid's arguments
// (read from the English line) put into that catalog's msgstr, as printf
// would. pgsift must read it back as the English message.

// A printf format as literal text and argument numbers (0-based, %n$ mapped).
struct Printf {
  std::vector<std::pair<std::string, int>> parts;  // {literal, -1} or {"", arg}
  int args = 0;
};

Printf ParsePrintf(const std::string& f) {
  Printf out;
  std::string lit;
  int next = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') {
      lit += f[i];
      continue;
    }
    if (i + 1 < f.size() && f[i + 1] == '%') {
      lit += '%';
      ++i;
      continue;
    }
    size_t j = i + 1, digits = j;
    while (j < f.size() && std::isdigit(static_cast<unsigned char>(f[j]))) ++j;
    int arg = next;
    if (j < f.size() && f[j] == '$' && j > digits) {
      arg = std::stoi(f.substr(digits, j - digits)) - 1;
      ++j;
    } else {
      j = digits;
    }
    while (j < f.size() && std::strchr("-+ #0123456789.hlz", f[j]) != nullptr) ++j;
    if (!lit.empty()) out.parts.push_back({lit, -1});
    lit.clear();
    out.parts.push_back({"", arg});
    out.args = std::max(out.args, arg + 1);
    next = arg + 1;
    i = j;
  }
  if (!lit.empty()) out.parts.push_back({lit, -1});
  return out;
}

// The runs of adjacent arguments, each as a sorted list.
std::vector<std::vector<int>> Runs(const Printf& p) {
  std::vector<std::vector<int>> runs;
  bool in_run = false;
  for (const auto& [lit, arg] : p.parts) {
    if (arg < 0) {
      in_run = false;
      continue;
    }
    if (!in_run) runs.emplace_back();
    runs.back().push_back(arg);
    in_run = true;
  }
  for (auto& r : runs) std::sort(r.begin(), r.end());
  std::sort(runs.begin(), runs.end());
  return runs;
}

// Reads `msg` as the msgid: each argument ends where the literal after it
// first occurs (a run of adjacent arguments goes to its first); the text
// after a msgid ending in '\n' is `tail`.
bool ReadArgs(const Printf& id, const std::string& msg, std::vector<std::string>* args, std::string* tail) {
  args->assign(static_cast<size_t>(id.args), "");
  size_t pos = 0;
  for (size_t k = 0; k < id.parts.size(); ++k) {
    const auto& [lit, arg] = id.parts[k];
    if (arg < 0) {
      if (msg.compare(pos, lit.size(), lit) != 0) return false;
      pos += lit.size();
      continue;
    }
    size_t next = k + 1;
    while (next < id.parts.size() && id.parts[next].second >= 0) ++next;
    size_t end = next == id.parts.size() ? msg.size() : msg.find(id.parts[next].first, pos);
    if (end == std::string::npos) return false;
    (*args)[static_cast<size_t>(arg)] = msg.substr(pos, end - pos);
    pos = end;
    k = next - 1;
  }
  *tail = msg.substr(pos);
  return id.parts.empty() || id.parts.back().second >= 0 || id.parts.back().first.back() == '\n' || tail->empty();
}

std::string Render(const Printf& f, const std::vector<std::string>& args) {
  std::string out;
  for (const auto& [lit, arg] : f.parts) out += arg < 0 ? lit : args[static_cast<size_t>(arg)];
  return out;
}

// msgid -> msgstr of an excerpt (one line each, as make_messages.py writes them).
std::map<std::string, std::string> ReadExcerpt(const std::string& path) {
  auto unquote = [](const std::string& s) {
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && i + 2 < s.size()) {
        char c = s[++i];
        out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
      } else {
        out += s[i];
      }
    }
    return out;
  };
  std::map<std::string, std::string> out;
  std::istringstream in(Slurp(path));
  std::string line, id;
  while (std::getline(in, line)) {
    if (line.rfind("msgid ", 0) == 0) id = unquote(line.substr(6));
    if (line.rfind("msgstr ", 0) == 0) out[id] = unquote(line.substr(7));
  }
  return out;
}

// One major's catalog of one language.
struct Catalog {
  std::string where, lang;  // "pg10 ja", "ja"
  std::map<std::string, std::string> entries;
  std::map<std::string, int> texts;  // msgstr -> how many msgids have it
};

std::vector<Catalog> Catalogs() {
  std::vector<std::filesystem::path> files;
  for (const auto& major : std::filesystem::directory_iterator(testing::Fixture("lang/catalogs"))) {
    if (!major.is_directory()) continue;
    for (const auto& f : std::filesystem::directory_iterator(major.path())) files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Catalog> out;
  for (const auto& path : files) {
    Catalog c;
    c.lang = path.stem().string();
    c.where = path.parent_path().filename().string() + " " + c.lang;
    c.entries = ReadExcerpt(path.string());
    for (const auto& [id, str] : c.entries) ++c.texts[str];
    out.push_back(std::move(c));
  }
  return out;
}

// `msg` (an English message or DETAIL) as a server of the catalog's major and
// language writes it, through the most specific msgid that reads it; *msgid
// is that msgid. False when none does, when it is untranslated, or when the
// translation is not one the table can hold (two msgids one text, a run of
// adjacent arguments split or reordered).
bool WriteAs(const Catalog& c, const std::string& msg, std::string* translated, std::string* msgid) {
  static const std::set<std::string> not_messages = {
      "LOG", "ERROR", "FATAL", "PANIC", "WARNING", "NOTICE", "INFO", "DEBUG", "execute", "execute fetch from", ""};
  const std::string* best = nullptr;
  size_t best_literal = 0;
  std::vector<std::string> args;
  std::string tail;
  for (const auto& [id, str] : c.entries) {
    if (str.empty() || str == id || not_messages.count(id) != 0 || id.find(":  ") != std::string::npos) continue;
    Printf pid = ParsePrintf(id);
    std::vector<std::string> a;
    std::string t;
    if (!ReadArgs(pid, msg, &a, &t)) continue;
    size_t literal = 0;
    for (const auto& part : pid.parts) literal += part.first.size();
    if (literal > best_literal) {
      best = &id;
      best_literal = literal;
      args = std::move(a);
      tail = std::move(t);
    }
  }
  if (best == nullptr) return false;
  const std::string& str = c.entries.at(*best);
  if (c.texts.at(str) > 1) return false;  // either reading is right
  Printf pid = ParsePrintf(*best), pstr = ParsePrintf(str);
  if (Runs(pid) != Runs(pstr)) return false;
  if (best->rfind("%s %s%s%s: %s", 0) == 0 || best->find("ms  %s %s%s%s") != std::string::npos) {
    // The verb is the first argument after the duration, translated by its own msgid.
    size_t at = best->rfind("%s %s%s%s: %s", 0) == 0 ? 0 : 1;
    auto verb = c.entries.find("execute");
    if (args[at] != "execute" || verb == c.entries.end() || verb->second.empty()) return false;
    args[at] = verb->second;
  }
  *translated = Render(pstr, args) + tail;
  *msgid = *best;
  return *translated != msg;
}

// The English messages and DETAILs a real PostgreSQL 15 logged.
std::vector<nlohmann::json> EnglishRecords() { return testing::ReadJsonLines(testing::Fixture("lang/C.json")); }

TEST(LangCatalogs, EveryMajorsTranslationsReadAsTheEnglishLog) {
  std::vector<std::string> english;
  for (const nlohmann::json& r : EnglishRecords()) {
    for (const char* field : {"message", "detail"}) {
      if (r.contains(field)) english.push_back(r[field].get<std::string>());
    }
  }
  ASSERT_GT(english.size(), 400u);
  std::map<std::string, int> checked;  // "pg10 ja" -> messages checked
  std::set<std::string> msgids_checked;
  std::vector<Catalog> catalogs = Catalogs();
  EXPECT_EQ(catalogs.size(), 111u);  // 9 majors, their languages (fixtures/lang/catalogs/SOURCES.md)
  for (const Catalog& c : catalogs) {
    uint32_t bit = Bit(c.lang);
    EXPECT_NE(bit, 0u) << c.where << ": not a language of the table";
    // Severity words and tags.
    for (const char* tag : {"DETAIL", "HINT", "STATEMENT", "CONTEXT", "QUERY"}) {
      auto it = c.entries.find(std::string(tag) + ":  ");
      std::string tr = it == c.entries.end() ? "" : it->second;
      // A translation without the two spaces ("AYRINTI:") is not read as a tag (README).
      if (tr.size() <= 3 || tr.compare(tr.size() - 3, 3, ":  ") != 0 || tr == std::string(tag) + ":  ") continue;
      uint32_t langs = 0;
      EXPECT_EQ(i18n::EnglishSeverity(tr.substr(0, tr.size() - 3), &langs), tag) << c.where;
      EXPECT_NE(langs & bit, 0u) << c.where << " " << tag;
    }
    for (const std::string& msg : english) {
      std::string translated, msgid, out;
      if (!WriteAs(c, msg, &translated, &msgid)) continue;
      uint32_t langs = i18n::TranslateMessage(translated, &out);
      EXPECT_NE(langs & bit, 0u) << c.where << ": " << msgid << "\n  " << translated;
      EXPECT_EQ(out, msg) << c.where << ": " << msgid;
      ++checked[c.where];
      msgids_checked.insert(msgid);
    }
  }
  for (const auto& [where, n] : checked) EXPECT_GE(n, 100) << where;
  EXPECT_GE(checked.size(), 110u);
  EXPECT_GE(msgids_checked.size(), 15u);
}

// The English run written by catalog c's server (`translated` of its records
// in c's language) at `path` reads as the English run `en`, detected as c's
// language alone besides those of `en` (C.json ends with one session in Japanese).
void ExpectReadsLikeEnglish(const Catalog& c, const std::string& path, size_t translated, const Figures& en) {
  EXPECT_GT(translated, 250u);
  Figures f = Read(path);
  EXPECT_EQ(f.skipped, en.skipped);
  EXPECT_EQ(f.languages & ~en.languages, Bit(c.lang) & ~en.languages) << i18n::LanguageList(f.languages);
  f.languages = en.languages;
  EXPECT_EQ(f, en);
}

// The whole English jsonlog written in each major's language (message,
// detail and error_severity, as the server translates them) analyzes like
// the English one: counts, durations, errors per SQLSTATE, users.
TEST(LangCatalogs, EveryMajorsLogAnalyzesLikeTheEnglishLog) {
  Figures en = Read("C.json");
  std::vector<nlohmann::json> records = EnglishRecords();
  std::string path = TempPath("catalog.json");
  for (const Catalog& c : Catalogs()) {
    SCOPED_TRACE(c.where);
    size_t translated_records = 0;
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      for (nlohmann::json r : records) {
        bool any = false;
        for (const char* field : {"message", "detail"}) {
          std::string t, msgid;
          if (r.contains(field) && WriteAs(c, r[field].get<std::string>(), &t, &msgid)) {
            r[field] = t;
            any = true;
          }
        }
        if (r.contains("error_severity")) {
          auto it = c.entries.find(r["error_severity"].get<std::string>());
          if (it != c.entries.end() && !it->second.empty()) r["error_severity"] = it->second;
        }
        translated_records += any;
        out << r.dump() << '\n';
      }
    }
    ExpectReadsLikeEnglish(c, path, translated_records, en);
  }
  std::filesystem::remove(path);
}

// A log line as catalog c's server writes it: the severity word or tag (a
// tag as the catalog has it, with or without the two spaces after the ':':
// Turkish writes "AYRINTI:Key ...") and the message of the record that
// `prefix` reads from line[at..]; other lines as they are.
std::string WriteLineAs(const Catalog& c, const LinePrefix& prefix, std::string_view line, size_t at,
                        size_t* translated, size_t* tight_tags) {
  static const std::set<std::string> tags = {"DETAIL", "HINT", "STATEMENT", "CONTEXT", "QUERY"};
  LogRecord rec;
  if (at >= line.size() || line[at] == '\t' || !prefix.Match(line.substr(at), &rec)) return std::string(line);
  std::string severity(rec.severity), message(rec.message), written, text, msgid;
  bool tag = tags.count(severity) != 0;
  auto word = c.entries.find(tag ? severity + ":  " : severity);
  if (word != c.entries.end() && !word->second.empty()) {
    written = tag ? word->second : word->second + ":  ";
  } else {
    written = severity + ":  ";
  }
  *tight_tags += written.back() == ':';
  if (WriteAs(c, message, &text, &msgid)) {
    message = text;
    ++*translated;
  }
  return std::string(line.substr(0, static_cast<size_t>(rec.severity.data() - line.data()))) + written + message;
}

// The same in stderr format: each line of the real English stderr log
// (fixtures/lang/C.stderr.log) as each catalog's server writes it.
TEST(LangCatalogs, EveryMajorsStderrLogAnalyzesLikeTheEnglishLog) {
  Figures en = Read("C.json");
  std::string log = Slurp(testing::Fixture("lang/C.stderr.log"));
  auto prefix = LinePrefix::Compile(Slurp(testing::Fixture("lang/prefix")));
  ASSERT_TRUE(prefix.ok());
  std::string path = TempPath("catalog.log");
  size_t tight_tags = 0;
  for (const Catalog& c : Catalogs()) {
    SCOPED_TRACE(c.where);
    size_t translated = 0;
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      for (std::string_view line : Lines(log))
        out << WriteLineAs(c, *prefix, line, 0, &translated, &tight_tags) << '\n';
    }
    ExpectReadsLikeEnglish(c, path, translated, en);
  }
  EXPECT_GT(tight_tags, 0u);
  std::filesystem::remove(path);
}

// And in syslog format: a real server's syslog (pgBadger's pg-syslog.2.gz,
// its first 2,000 lines), each "[n-m] " line's record as each catalog's
// server writes it; format and prefix detected as for the English file.
TEST(LangCatalogs, EveryMajorsSyslogAnalyzesLikeTheEnglishLog) {
  std::string log;
  {
    gzFile f = gzopen(testing::Fixture("pgbadger/pg-syslog.2.gz").c_str(), "rb");
    ASSERT_NE(f, nullptr);
    char buf[1 << 16];
    int n;
    while ((n = gzread(f, buf, sizeof buf)) > 0) log.append(buf, static_cast<size_t>(n));
    gzclose(f);
  }
  std::vector<std::string_view> lines = Lines(log);
  lines.resize(2000);
  std::string english_path = TempPath("english.syslog");
  std::string path = TempPath("catalog.syslog");
  {
    std::ofstream out(english_path, std::ios::binary | std::ios::trunc);
    for (std::string_view line : lines) out << line << '\n';
  }
  Figures en = Read(english_path);
  ASSERT_GT(en.calls, 1500u);
  auto prefix = LinePrefix::Compile("db=%d,user=%u,app=%a,client=%h ");
  ASSERT_TRUE(prefix.ok());
  size_t tight_tags = 0;
  for (const Catalog& c : Catalogs()) {
    SCOPED_TRACE(c.where);
    size_t translated = 0;
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      for (std::string_view line : lines) {
        size_t tag = line.find("]: [");
        size_t at = tag == std::string_view::npos ? line.size() : line.find("] ", tag + 4);
        at = at == std::string_view::npos ? line.size() : at + 2;
        std::string written = WriteLineAs(c, *prefix, line, at, &translated, &tight_tags);
        // The server sends each line of a message as its own "[n-m] " chunk (fr's
        // disconnection has a '\n'): "[8-1] ... déconnexion : ...", "[8-2] utilisateur=...".
        size_t nl = written.find('\n');
        if (nl != std::string::npos) {
          size_t dash = line.find('-', tag);
          for (int chunk = std::stoi(std::string(line.substr(dash + 1))) + 1; nl != std::string::npos; ++chunk) {
            std::string next = std::string(line.substr(0, dash + 1)) + std::to_string(chunk) + "] ";
            written.replace(nl, 1, "\n" + next);
            nl = written.find('\n', nl + 1 + next.size());
          }
        }
        out << written << '\n';
      }
    }
    ExpectReadsLikeEnglish(c, path, translated, en);
  }
  std::filesystem::remove(path);
  std::filesystem::remove(english_path);
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
  for (std::string_view line : Lines(log)) {
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
