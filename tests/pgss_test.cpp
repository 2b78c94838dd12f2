// pg_stat_statements: export readers for every version's columns, snapshot
// files, deltas (reset, server move), DSN redaction.
#include "pgsift/pgss.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

#include "pgsift/db.h"
#include "test_util.h"

namespace pgsift {
namespace {

using testing::Fixture;

using testing::Slurp;

Snapshot Load(const std::string& name) {
  auto s = ReadSnapshot(Fixture("pgss/" + name));
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error());
  return s.ok() ? *s : Snapshot{};
}

const PgssEntry* Find(const Snapshot& s, std::string_view query) {
  for (const PgssEntry& e : s.entries) {
    if (e.query == query) return &e;
  }
  return nullptr;
}

constexpr std::string_view kReception = "SELECT full_name, born FROM patients WHERE id = $1";
constexpr std::string_view kBilling = "SELECT sum(amount_cents) FROM invoices WHERE patient_id = $1";

TEST(PgssExport, Pg15CsvAndJsonReadTheSameRows) {
  auto csv = ReadPgssExport(Fixture("pgss/pgss_15.csv"));
  auto json = ReadPgssExport(Fixture("pgss/pgss_15.json"));
  ASSERT_TRUE(csv.ok()) << csv.error();
  ASSERT_TRUE(json.ok()) << json.error();
  EXPECT_EQ(csv->source, "csv");
  EXPECT_EQ(json->source, "json");
  ASSERT_EQ(csv->entries.size(), 36u);
  // json_agg ran after \copy, whose own row is the one extra.
  ASSERT_EQ(json->entries.size(), csv->entries.size() + 1);
  std::map<std::tuple<uint32_t, uint32_t, int64_t>, const PgssEntry*> by_key;
  for (const PgssEntry& e : json->entries) by_key[{e.dbid, e.userid, e.queryid}] = &e;
  for (const PgssEntry& a : csv->entries) {
    auto it = by_key.find({a.dbid, a.userid, a.queryid});
    ASSERT_NE(it, by_key.end()) << a.query;
    const PgssEntry& b = *it->second;
    EXPECT_EQ(a.fingerprint, b.fingerprint);
    EXPECT_EQ(a.query, b.query);
    EXPECT_EQ(a.calls, b.calls);
    EXPECT_DOUBLE_EQ(a.total_exec_time, b.total_exec_time);
    EXPECT_EQ(a.wal_bytes, b.wal_bytes);
  }
  EXPECT_EQ(csv->columns, json->columns);
}

TEST(PgssExport, FingerprintsMatchTheLiveSnapshot) {
  // The export was taken right after b.json.gz; pgsift's own statements are
  // in the export but were left out of the snapshot.
  auto csv = ReadPgssExport(Fixture("pgss/pgss_15.csv"));
  ASSERT_TRUE(csv.ok()) << csv.error();
  std::set<uint64_t> exported;
  for (const PgssEntry& e : csv->entries) exported.insert(e.fingerprint);
  Snapshot b = Load("b.json.gz");
  ASSERT_GT(b.entries.size(), 10u);
  for (const PgssEntry& e : b.entries) EXPECT_TRUE(exported.count(e.fingerprint)) << e.query;
  EXPECT_GT(csv->entries.size(), b.entries.size());
}

TEST(PgssExport, PgsiftSessionsAreReadOnlyAndBounded) {
  // The server's own record (exported after snapshots a, b, b_all): every
  // session pgsift opened ran these settings first; the snapshots leave them out.
  std::string raw = Slurp(Fixture("pgss/pgss_15.csv"));
  for (const char* set :
       {"SET application_name = 'pgsift'", "SET default_transaction_read_only = on", "SET statement_timeout = 60000",
        "SET lock_timeout = 2000", "SET idle_in_transaction_session_timeout = 60000"}) {
    EXPECT_NE(raw.find(set), std::string::npos) << set;
  }
  auto csv = ReadPgssExport(Fixture("pgss/pgss_15.csv"));
  ASSERT_TRUE(csv.ok()) << csv.error();
  const PgssEntry* ro = Find(*csv, "SET default_transaction_read_only = $1");
  ASSERT_NE(ro, nullptr);
  EXPECT_EQ(ro->calls, 3);  // snapshots a, b and b_all
  Snapshot b = Load("b.json.gz");
  for (const PgssEntry& e : b.entries) EXPECT_FALSE(e.query.starts_with("SET ")) << e.query;
}

TEST(PgssExport, NeverKeepsLiteralsOrComments) {
  auto csv = ReadPgssExport(Fixture("pgss/pgss_15.csv"));
  ASSERT_TRUE(csv.ok()) << csv.error();
  ASSERT_NE(Slurp(Fixture("pgss/pgss_15.csv")).find("CANARY_DDL_3307"), std::string::npos);
  for (const PgssEntry& e : csv->entries) {
    EXPECT_EQ(e.query.find("CANARY"), std::string::npos) << e.query;
    EXPECT_EQ(e.query.find("/*"), std::string::npos) << e.query;
  }
  EXPECT_NE(Find(*csv, "COMMENT ON TABLE patients IS $1"), nullptr);
  EXPECT_NE(Find(*csv, "SELECT count(*) FROM patients WHERE id > $1"), nullptr);
}

struct VersionCase {
  const char* file;
  std::vector<std::string> must_have;
  std::vector<std::string> must_lack;
};

TEST(PgssExport, EveryVersionsColumnSet) {
  // Derived from the PG15 capture (fixtures/pgss/README.md): same rows, each
  // version's column names.
  auto base = ReadPgssExport(Fixture("pgss/pgss_15.csv"));
  ASSERT_TRUE(base.ok()) << base.error();
  const std::vector<VersionCase> cases = {
      {"pgss_9.5.csv",
       {"total_exec_time", "mean_exec_time", "shared_blk_read_time"},
       {"plans", "toplevel", "wal_bytes"}},
      {"pgss_12.csv", {"total_exec_time", "stddev_exec_time"}, {"plans", "toplevel", "jit_functions"}},
      {"pgss_13.csv", {"plans", "total_plan_time", "wal_bytes", "shared_blk_read_time"}, {"toplevel", "jit_functions"}},
      {"pgss_14.csv", {"toplevel", "wal_fpi"}, {"jit_functions", "temp_blk_read_time"}},
      {"pgss_17.csv",
       {"shared_blk_read_time", "local_blk_read_time", "jit_deform_count", "stats_since", "temp_blk_read_time"},
       {}},
  };
  for (const VersionCase& c : cases) {
    SCOPED_TRACE(c.file);
    auto s = ReadPgssExport(Fixture(std::string("pgss/") + c.file));
    ASSERT_TRUE(s.ok()) << s.error();
    std::set<std::string> cols(s->columns.begin(), s->columns.end());
    for (const auto& col : c.must_have) EXPECT_TRUE(cols.count(col)) << col;
    for (const auto& col : c.must_lack) EXPECT_FALSE(cols.count(col)) << col;
    const PgssEntry* a = Find(*s, kBilling);
    const PgssEntry* b = Find(*base, kBilling);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(a->calls, b->calls);
    EXPECT_DOUBLE_EQ(a->total_exec_time, b->total_exec_time);            // total_time in 9.5-12
    EXPECT_DOUBLE_EQ(a->shared_blk_read_time, b->shared_blk_read_time);  // blk_read_time before 17
    EXPECT_EQ(a->fingerprint, b->fingerprint);
    if (!cols.count("plans")) {
      EXPECT_EQ(a->plans, 0);
    }
  }
}

TEST(PgssExport, BadInputNamesFileAndLine) {
  auto no_header = ParsePgssCsv("a,b\n1,2\n", "x.csv");
  ASSERT_FALSE(no_header.ok());
  EXPECT_EQ(no_header.error(),
            "x.csv:1: header has no 'query' and 'calls' columns; is this a pg_stat_statements export?");
  auto bad_number = ParsePgssCsv("query,calls\nselect 1,3\n\"select 'secret_value'\",abc\n", "x.csv");
  ASSERT_FALSE(bad_number.ok());
  EXPECT_EQ(bad_number.error(), "x.csv:3: column calls: not a valid number");
  auto fields = ParsePgssCsv("query,calls\n\"select\n1\",3\nselect 2\n", "x.csv");
  ASSERT_FALSE(fields.ok());
  EXPECT_EQ(fields.error(), "x.csv:4: 1 fields, header has 2");
  auto quote = ParsePgssCsv("query,calls\n\"select 1,3\n", "x.csv");
  ASSERT_FALSE(quote.ok());
  EXPECT_EQ(quote.error(), "x.csv:2: unterminated quoted field");
  auto json = ParsePgssJson(R"([{"query":"select 1","calls":1},{"query":"x"}])", "x.json");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error(), "x.json: element 2: no 'query' and 'calls' fields");
  EXPECT_FALSE(ParsePgssJson("{", "x.json").ok());
  auto missing = ReadPgssExport("/nonexistent/pgss.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("/nonexistent/pgss.csv"), std::string::npos);
}

TEST(Snapshot, ConnectedDatabaseOnlyUnlessAllDatabases) {
  // clinic_other ran one query between b and b_all (make_snapshots.sh).
  Snapshot b = Load("b.json.gz"), all = Load("b_all.json.gz");
  std::set<std::string> b_dbs, all_dbs;
  for (const PgssEntry& e : b.entries) b_dbs.insert(e.database);
  for (const PgssEntry& e : all.entries) all_dbs.insert(e.database);
  EXPECT_EQ(b_dbs, (std::set<std::string>{"postgres"}));
  EXPECT_EQ(all_dbs, (std::set<std::string>{"clinic_other", "postgres"}));
  EXPECT_EQ(all.entries.size(), b.entries.size() + 1);
}

TEST(Snapshot, RoundTripsThroughJson) {
  Snapshot b = Load("b.json.gz");
  ASSERT_EQ(b.source, "live");
  EXPECT_GE(b.server_version_num, 150000);
  std::string json = SnapshotToJson(b);
  auto again = SnapshotFromJson(json, "b");
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(SnapshotToJson(*again), json);
  EXPECT_FALSE(SnapshotFromJson(R"({"schema":"other"})", "x.json").ok());
  auto bad = SnapshotFromJson(R"({"schema":"pgsift.snapshot.v1","entries":[{"fingerprint":"zz"}]})", "x.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("x.json: entry 1"), std::string::npos);
}

// Issue 23: the entries are converted as the parser finishes each (no tree of
// 100k entries); what the whole-tree reader did stays: an entry's error names
// its place among all elements, the last "entries" key counts, an "entries"
// key deeper down is not the snapshot's, an object's values are entries, and
// an error in the fields before the entries is reported first.
TEST(Snapshot, EntriesReadWhileParsingKeepTheTreeReadersAnswers) {
  std::string json = SnapshotToJson(Load("b.json.gz"));
  size_t n = Load("b.json.gz").entries.size();
  ASSERT_GE(n, 5u);
  size_t at = json.find("\"entries\": [");
  ASSERT_NE(at, std::string::npos);
  auto with_element = [&](const std::string& element) {
    std::string j = json;
    j.insert(at + std::string("\"entries\": [").size(), element + ",");
    return j;
  };
  auto bad = SnapshotFromJson(with_element("7"), "n.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("n.json: entry 1: "), std::string::npos) << bad.error();
  std::string late = json;
  size_t fifth = at;
  for (int i = 0; i < 4; ++i) fifth = late.find("\n  },\n", fifth) + 1;
  late.insert(fifth + 4, " null,");
  bad = SnapshotFromJson(late, "late.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("late.json: entry 5: "), std::string::npos) << bad.error();

  std::string tail = R"(, "nested": {"entries": [1, 2]}, "entries": [{"query": "SELECT 1", "calls": 3}]})";
  std::string twice = json.substr(0, json.rfind('}')) + tail;
  auto last = SnapshotFromJson(twice, "twice.json");
  ASSERT_TRUE(last.ok()) << last.error();
  ASSERT_EQ(last->entries.size(), 1u);
  EXPECT_EQ(last->entries[0].calls, 3);

  auto object = SnapshotFromJson(
      R"({"schema":"pgsift.snapshot.v1","entries":{"a":{"calls":1},"b":{"calls":2}}})", "object.json");
  ASSERT_TRUE(object.ok()) << object.error();
  EXPECT_EQ(object->entries.size(), 2u);
  auto order = SnapshotFromJson(R"({"schema":"pgsift.snapshot.v1","columns":5,"entries":[7]})", "order.json");
  ASSERT_FALSE(order.ok());
  EXPECT_EQ(order.error().find("entry"), std::string::npos) << order.error();
  auto whole = SnapshotFromJson(json, "whole.json");
  ASSERT_TRUE(whole.ok()) << whole.error();
  EXPECT_EQ(whole->entries.size(), n);
}

// Issue 18: shared_buffers was stored as "327688kB" (setting || unit, with
// the unit "8kB"); it is 32768 blocks of 8kB = 256MB.
TEST(Snapshot, SettingsKeepValueUnitAndBytesOrMs) {
  SettingValue sb = MakeSettingValue("32768", "8kB");
  ASSERT_TRUE(sb.bytes.has_value());
  EXPECT_EQ(*sb.bytes, int64_t{256} * 1024 * 1024);
  EXPECT_EQ(*MakeSettingValue("4096", "kB").bytes, 4096 * 1024);
  EXPECT_EQ(*MakeSettingValue("2048", "MB").bytes, int64_t{2048} * 1024 * 1024);
  EXPECT_EQ(*MakeSettingValue("200", "ms").ms, 200);
  EXPECT_EQ(*MakeSettingValue("-1", "ms").ms, -1);  // log_min_duration_statement off
  EXPECT_EQ(*MakeSettingValue("60", "s").ms, 60000);
  EXPECT_EQ(*MakeSettingValue("1", "min").ms, 60000);
  SettingValue cost = MakeSettingValue("1.1", "");
  EXPECT_FALSE(cost.bytes.has_value());
  EXPECT_FALSE(cost.ms.has_value());
  EXPECT_FALSE(MakeSettingValue("on", "").bytes.has_value());
  Snapshot s;
  s.settings["shared_buffers"] = sb;
  std::string json = SnapshotToJson(s);
  EXPECT_NE(json.find(R"("setting": "32768")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("unit": "8kB")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("bytes": 268435456)"), std::string::npos) << json;
  auto again = SnapshotFromJson(json, "s");
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(*again->settings["shared_buffers"].bytes, 268435456);
  // A snapshot of an older pgsift (text) still reads.
  auto old = SnapshotFromJson(R"({"schema":"pgsift.snapshot.v1","entries":[],"settings":{"jit":"off"}})", "old");
  ASSERT_TRUE(old.ok()) << old.error();
  EXPECT_EQ(old->settings["jit"].setting, "off");
}

TEST(Delta, SlowedNewAndVanishedBetweenRealSnapshots) {
  Snapshot a = Load("a.json.gz"), b = Load("b.json.gz");
  SnapshotDelta d = ComputeDelta(a, b);
  EXPECT_FALSE(d.reset) << d.reset_reason;
  EXPECT_EQ(d.matched_by_fingerprint, 0u);
  const FingerprintDelta* billing = nullptr;
  const FingerprintDelta* reception = nullptr;
  for (const auto& q : d.queries) {
    if (q.query == kBilling) billing = &q;
    if (q.query == kReception) reception = &q;
  }
  ASSERT_NE(billing, nullptr);
  ASSERT_NE(reception, nullptr);
  // pgbench -t 200 -c 2 in each phase: 400 calls before and 400 in the window.
  EXPECT_EQ(billing->before.calls, 400);
  EXPECT_EQ(billing->window.calls, 400);
  EXPECT_GT(billing->window.mean_ms(), 10 * billing->before.mean_ms());
  EXPECT_EQ(reception->window.calls, 800);
  EXPECT_EQ(d.queries.front().query, kBilling);  // costs most in the window
}

TEST(Delta, FullResetIsDetected) {
  SnapshotDelta d = ComputeDelta(Load("b.json.gz"), Load("c.json.gz"));
  EXPECT_TRUE(d.reset);
  EXPECT_EQ(d.reset_reason, "pg_stat_statements_info.stats_reset changed");
  for (const auto& q : d.queries) {
    if (q.query == kReception) {
      EXPECT_EQ(q.window.calls, 100);  // counted from zero after the reset
      EXPECT_TRUE(q.reset);
    }
  }
}

TEST(Delta, ResetSeenFromCountersWithoutStatsReset) {
  // 9.5-13 have no pg_stat_statements_info: counters going down tell.
  Snapshot b = Load("b.json.gz"), c = Load("c.json.gz");
  b.stats_reset.clear();
  c.stats_reset.clear();
  SnapshotDelta d = ComputeDelta(b, c);
  EXPECT_TRUE(d.reset);
  EXPECT_GT(d.entries_reset, 0u);
  EXPECT_NE(d.reset_reason.find("went down"), std::string::npos);
}

TEST(Delta, SurvivesAServerMoveByFingerprint) {
  // A restore on another server: new oids and query ids, same statements.
  Snapshot a = Load("a.json.gz"), b = Load("b.json.gz");
  SnapshotDelta same = ComputeDelta(a, b);
  for (PgssEntry& e : b.entries) {
    e.userid += 1000;
    e.dbid += 1000;
    e.queryid ^= 0x5555;
  }
  SnapshotDelta moved = ComputeDelta(a, b);
  EXPECT_FALSE(moved.reset);
  EXPECT_EQ(moved.matched_by_key, 0u);
  EXPECT_GT(moved.matched_by_fingerprint, 10u);
  ASSERT_EQ(moved.queries.size(), same.queries.size());
  for (size_t i = 0; i < same.queries.size(); ++i) {
    EXPECT_EQ(moved.queries[i].fingerprint, same.queries[i].fingerprint);
    EXPECT_EQ(moved.queries[i].window.calls, same.queries[i].window.calls);
  }
}

TEST(Db, DsnPasswordsAreRedacted) {
  // Shown as libpq reads them (PQconninfoParse), key=value.
  EXPECT_EQ(RedactDsn("postgresql://app:s3cr3t@db.example:5432/clinic"),
            "user=app password=*** dbname=clinic host=db.example port=5432");
  EXPECT_EQ(RedactDsn("host=db password=s3cr3t user=app"), "user=app password=*** host=db");
  EXPECT_EQ(RedactDsn("host=db password = 'pa ss' user=app"), "user=app password=*** host=db");
  EXPECT_EQ(RedactDsn("postgres://h/db?password=s3cr3t&sslmode=require"),
            "password=*** dbname=db host=h sslmode=require");
  EXPECT_EQ(RedactDsn("host=db user=app"), "user=app host=db");
  EXPECT_EQ(RedactDsn(""), "the PG* environment");
  // The settings pgsift adds for bounded waits are not shown.
  EXPECT_EQ(RedactDsn(ResolveDsn(ConnectOptions{})), "the PG* environment");
}

// Issue 16 section 5: three DSNs whose password leaked through the
// hand-written parser.
TEST(Db, DsnPasswordLeaksOfTheHandWrittenParser) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      // An escaped quote inside the password.
      {R"(host=db password='pa\'ss w0rd' user=app)", "w0rd"},
      // A second password= (libpq takes the last one).
      {"host=db password=first_pw password=second_pw user=app", "second_pw"},
      // A URI inside dbname=.
      {"host=db dbname=postgresql://app:inner_pw@other/clinic", "inner_pw"},
  };
  for (const auto& [dsn, secret] : cases) {
    std::string shown = RedactDsn(dsn);
    EXPECT_EQ(shown.find(secret), std::string::npos) << dsn << " -> " << shown;
    EXPECT_EQ(shown.find("first_pw"), std::string::npos) << shown;
    EXPECT_NE(shown.find("***"), std::string::npos) << shown;
    std::string message = RedactError("could not connect with " + dsn, dsn);
    EXPECT_EQ(message.find(secret), std::string::npos) << message;
    EXPECT_EQ(message.find("first_pw"), std::string::npos) << message;
  }
  EXPECT_EQ(RedactDsn("host=db dbname=postgresql://app:inner_pw@other/clinic"),
            "dbname='user=app password=*** dbname=clinic host=other' host=db");
  // libpq cannot parse it: nothing of it is shown.
  EXPECT_EQ(RedactDsn("host=db password='unterminated"), "(a connection string libpq cannot parse; not shown)");
}

// Issue 16 section 5: bounded waits unless the DSN sets its own.
TEST(Db, ConnectDefaultsBoundTheWait) {
  unsetenv("PGCONNECT_TIMEOUT");
  unsetenv("PGSERVICE");
  unsetenv("PGSIFT_CONNECT_TIMEOUT");
  ConnectOptions options;
  options.dsn = "postgresql://app:pw@db.example/clinic";
  std::string dsn = ResolveDsn(options);
  for (const char* want : {"connect_timeout=10", "keepalives=1", "keepalives_idle=30", "keepalives_interval=10",
                           "keepalives_count=3", "tcp_user_timeout=60000", "host='db.example'", "dbname='clinic'"}) {
    EXPECT_NE(dsn.find(want), std::string::npos) << want << " in " << dsn;
  }
  options.dsn = "host=db connect_timeout=3 keepalives=0";
  dsn = ResolveDsn(options);
  EXPECT_NE(dsn.find("connect_timeout='3'"), std::string::npos) << dsn;
  EXPECT_EQ(dsn.find("connect_timeout=10"), std::string::npos) << dsn;
  EXPECT_NE(dsn.find("keepalives='0'"), std::string::npos) << dsn;
  EXPECT_EQ(dsn.find("keepalives=1"), std::string::npos) << dsn;
  setenv("PGSIFT_CONNECT_TIMEOUT", "2", 1);
  options.dsn = "host=db";
  EXPECT_NE(ResolveDsn(options).find("connect_timeout=2"), std::string::npos);
  setenv("PGCONNECT_TIMEOUT", "7", 1);
  EXPECT_EQ(ResolveDsn(options).find("connect_timeout"), std::string::npos);
  unsetenv("PGCONNECT_TIMEOUT");
  unsetenv("PGSIFT_CONNECT_TIMEOUT");
}

TEST(Db, ConnectionErrorNamesNoPassword) {
  // Port 1 on localhost refuses at once; no server needed.
  ConnectOptions options;
  options.dsn = "host=127.0.0.1 port=1 user=app password=s3cr3t_pw connect_timeout=2";
  auto snap = TakeSnapshot(options);
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.error().find("s3cr3t_pw"), std::string::npos) << snap.error();
  EXPECT_NE(snap.error().find("password=***"), std::string::npos) << snap.error();
}

}  // namespace
}  // namespace pgsift
