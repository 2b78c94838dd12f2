// Migration lint in-process: statement locations, transaction and DO-body
// context, syntax errors that lose nothing else, suppression comments,
// layouts, and the .pgsift.toml loader.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "pgsift/config.h"
#include "pgsift/indexes.h"
#include "pgsift/migration.h"
#include "test_util.h"

namespace {

using pgsift::Finding;
using pgsift::LintOptions;
using pgsift::LoadMigration;
namespace fs = std::filesystem;

std::vector<Finding> LintAll(const std::string& sql, LintOptions options = {}) {
  auto loaded = LoadMigration("m.sql", sql, options);
  auto rules = pgsift::MakeMigrationRules();
  std::vector<const pgsift::MigrationRule*> active;
  for (const auto& r : rules) active.push_back(r.get());
  return pgsift::LintMigration(loaded, active, true);
}

std::vector<std::string> Ids(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.rule_id + "@" + std::to_string(f.location.line));
  return out;
}

bool Has(const std::vector<Finding>& findings, const std::string& id_at_line) {
  auto ids = Ids(findings);
  return std::find(ids.begin(), ids.end(), id_at_line) != ids.end();
}

TEST(Lint, StatementLocationsSkipLeadingComments) {
  auto loaded = LoadMigration("m.sql",
                              "-- header\n/* block\n comment */ SELECT 1;\n\n  CREATE INDEX i ON t (a);\n"
                              "SELECT 'é'; ALTER TABLE t DROP COLUMN c;",
                              {});
  ASSERT_TRUE(loaded.diagnostics.empty());
  const auto& st = loaded.file.statements;
  ASSERT_EQ(st.size(), 4u);
  EXPECT_EQ(st[0].location.line, 3u);
  EXPECT_EQ(st[0].location.column, 13u);
  EXPECT_EQ(st[1].location.line, 5u);
  EXPECT_EQ(st[1].location.column, 3u);
  EXPECT_EQ(st[1].text, "CREATE INDEX i ON t (a)");
  EXPECT_EQ(st[3].location.line, 6u);
  EXPECT_EQ(st[3].location.column, 13u);  // code points: 'é' is one column
  EXPECT_EQ(st[3].kind, "AlterTableStmt");
}

TEST(Lint, SyntaxErrorIsReportedWithLineAndLosesNothingElse) {
  auto loaded = LoadMigration("m.sql", "CREATE INDEX a ON t (x);\nALTER TABLE t ADD COLUMN;\nDROP TABLE u;\n", {});
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(loaded.diagnostics[0].location.line, 2u);
  EXPECT_NE(loaded.diagnostics[0].message.find("syntax error"), std::string::npos);
  ASSERT_EQ(loaded.file.statements.size(), 2u);
  EXPECT_EQ(loaded.file.statements[1].kind, "DropStmt");
  EXPECT_EQ(loaded.file.statements[1].location.line, 3u);
}

// A PostgreSQL 18 statement PostgreSQL 15's grammar cannot read: with
// --pg-version 18 a finding per statement (not an error), and the rest of
// the file linted as if it had run (its table is new); with 15 a syntax
// error as before, with the same context for the statements after it.
TEST(Lint, NewerSyntaxIsReportedPerStatementAndTheRestLintedConsistently) {
  const std::string sql =
      "CREATE TABLE IF NOT EXISTS public.\"Readings\" (id bigint, w numeric, v numeric GENERATED ALWAYS AS (w * 2) "
      "VIRTUAL);\n"
      "CREATE INDEX readings_w_idx ON \"Readings\" (w);\n"
      "ALTER TABLE visits ADD CONSTRAINT w_check CHECK (w > 0) NOT ENFORCED;\n"
      "CREATE INDEX visits_w_idx ON visits (w);\n";
  LintOptions pg18;
  pg18.pg_version = 18;
  auto loaded = LoadMigration("m.sql", sql, pg18);
  EXPECT_TRUE(loaded.diagnostics.empty());
  ASSERT_EQ(loaded.file.unparsed.size(), 2u);
  EXPECT_EQ(loaded.file.unparsed[0].statement.location.line, 1u);
  EXPECT_EQ(loaded.file.unparsed[1].statement.location.line, 3u);
  EXPECT_EQ(loaded.file.unparsed[1].statement.text,
            "ALTER TABLE visits ADD CONSTRAINT w_check CHECK (w > 0) NOT ENFORCED");
  ASSERT_EQ(loaded.file.statements.size(), 2u);
  EXPECT_TRUE(loaded.file.CreatedBefore("Readings", 0));
  auto findings = LintAll(sql, pg18);
  EXPECT_TRUE(Has(findings, "migration-statement-not-parsed@1"));
  EXPECT_TRUE(Has(findings, "migration-statement-not-parsed@3"));
  EXPECT_FALSE(Has(findings, "migration-require-concurrent-index-creation@2"));  // "Readings" is new
  EXPECT_TRUE(Has(findings, "migration-require-concurrent-index-creation@4"));

  auto pg15 = LoadMigration("m.sql", sql, {});
  EXPECT_EQ(pg15.diagnostics.size(), 2u);
  EXPECT_TRUE(pg15.file.unparsed.empty());
  EXPECT_TRUE(pg15.file.CreatedBefore("Readings", 0));
  EXPECT_FALSE(Has(LintAll(sql), "migration-require-concurrent-index-creation@2"));
}

TEST(Lint, UnterminatedQuoteKeepsTheStatementsBeforeIt) {
  auto loaded = LoadMigration("m.sql", "CREATE INDEX a ON t (x);\nDROP TABLE u;\nSELECT 'open;\nDROP TABLE v;\n", {});
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(loaded.diagnostics[0].location.line, 3u);
  ASSERT_EQ(loaded.file.statements.size(), 2u);
  EXPECT_EQ(loaded.file.statements[1].kind, "DropStmt");
}

TEST(Lint, BinaryFileIsAnErrorNotAnEmptyLint) {
  auto loaded = LoadMigration("m.sql", std::string("DROP TABLE u;\n\0\x01", 16), {});
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(loaded.diagnostics[0].location.line, 2u);
  EXPECT_NE(loaded.diagnostics[0].message.find("NUL"), std::string::npos);
}

// A Latin-1 byte in a literal: libpg_query parses the statement, but its
// tree repeats the byte and is not JSON; that statement was dropped without
// a word (0 findings, exit 0). It is an error at the statement now.
TEST(Lint, NonUtf8StatementIsAnErrorNotSkipped) {
  auto loaded = LoadMigration(
      "m.sql", "DROP TABLE u;\nALTER TABLE patients ADD COLUMN label text NOT NULL DEFAULT 'patient\xe9';\n", {});
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(loaded.diagnostics[0].location.line, 2u);
  EXPECT_NE(loaded.diagnostics[0].message.find("not UTF-8"), std::string::npos) << loaded.diagnostics[0].message;
  ASSERT_EQ(loaded.file.statements.size(), 1u);
  EXPECT_EQ(loaded.file.statements[0].kind, "DropStmt");
}

TEST(Lint, TransactionStateAndAssumedTransaction) {
  auto f = LintAll("CREATE INDEX CONCURRENTLY IF NOT EXISTS a ON t (x);\n");
  EXPECT_FALSE(Has(f, "migration-ban-concurrent-index-creation-in-transaction@1"));
  LintOptions tx;
  tx.assume_in_transaction = true;
  f = LintAll("CREATE INDEX CONCURRENTLY IF NOT EXISTS a ON t (x);\n", tx);
  EXPECT_TRUE(Has(f, "migration-ban-concurrent-index-creation-in-transaction@1"));
  f = LintAll("BEGIN;\nCOMMIT;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS a ON t (x);\n");
  EXPECT_FALSE(Has(f, "migration-ban-concurrent-index-creation-in-transaction@3"));
}

TEST(Lint, FlywayLayoutIsAssumedTransactional) {
  EXPECT_TRUE(pgsift::LayoutAssumesTransaction("db/V3__add_index.sql"));
  EXPECT_FALSE(pgsift::LayoutAssumesTransaction("db/000003_add_index.up.sql"));
  EXPECT_FALSE(pgsift::LayoutAssumesTransaction("deploy/add_index.sql"));
}

TEST(Lint, DoBodyStatementsAreLintedAtTheirLines) {
  auto f = LintAll(
      "SET lock_timeout = '1s';\nSET statement_timeout = '1min';\nDO $$\nBEGIN\n"
      "  ALTER TABLE orders DROP COLUMN fax;\n  EXECUTE 'DROP TABLE old_orders';\nEND $$;\n");
  EXPECT_TRUE(Has(f, "migration-ban-drop-column@5")) << ::testing::PrintToString(Ids(f));
  EXPECT_TRUE(Has(f, "migration-ban-drop-table@6")) << ::testing::PrintToString(Ids(f));
}

TEST(Lint, IndexOnTableCreatedEarlierNeedsNoConcurrently) {
  auto f = LintAll("CREATE TABLE t (a bigint);\nCREATE INDEX i ON t (a);\nCREATE INDEX j ON u (a);\n");
  EXPECT_FALSE(Has(f, "migration-require-concurrent-index-creation@2"));
  EXPECT_TRUE(Has(f, "migration-require-concurrent-index-creation@3"));
}

TEST(Lint, PgVersionDecidesFastDefaults) {
  std::string sql = "ALTER TABLE t ADD COLUMN IF NOT EXISTS s text DEFAULT 'x';\n";
  EXPECT_FALSE(Has(LintAll(sql), "migration-adding-field-with-default@1"));
  LintOptions old;
  old.pg_version = 10;
  EXPECT_TRUE(Has(LintAll(sql, old), "migration-adding-field-with-default@1"));
}

TEST(Lint, SuppressionsApplyToTheirStatementOnly) {
  std::string sql =
      "SET lock_timeout = '1s'; SET statement_timeout = '1min';\n"
      "-- pgsift-ignore ban-drop-column\n"
      "ALTER TABLE a DROP COLUMN IF EXISTS x;\n"
      "ALTER TABLE b DROP COLUMN IF EXISTS y; -- pgsift-ignore migration-ban-drop-column\n"
      "ALTER TABLE c DROP COLUMN IF EXISTS z;\n";
  auto f = LintAll(sql);
  EXPECT_FALSE(Has(f, "migration-ban-drop-column@3"));
  EXPECT_FALSE(Has(f, "migration-ban-drop-column@4"));
  EXPECT_TRUE(Has(f, "migration-ban-drop-column@5"));
  EXPECT_FALSE(Has(f, "migration-unused-ignore@2"));
  EXPECT_FALSE(Has(f, "migration-unused-ignore@4"));
}

TEST(Lint, IgnoreInsideStringIsNotAComment) {
  auto f = LintAll(
      "SET lock_timeout = '1s'; SET statement_timeout = '1min';\n"
      "ALTER TABLE a DROP COLUMN IF EXISTS x, ADD COLUMN IF NOT EXISTS n text DEFAULT '-- pgsift-ignore';\n");
  EXPECT_TRUE(Has(f, "migration-ban-drop-column@2"));
}

TEST(Lint, IgnoreFileAndUnusedIgnores) {
  auto f = LintAll("-- pgsift-ignore-file\nDROP TABLE t;\n");
  EXPECT_TRUE(f.empty()) << ::testing::PrintToString(Ids(f));
  f = LintAll(
      "-- pgsift-ignore-file ban-drop-table, renaming-column\nSET lock_timeout = '1s';\n"
      "SET statement_timeout = '1min';\nDROP TABLE IF EXISTS t;\n");
  ASSERT_EQ(f.size(), 1u) << ::testing::PrintToString(Ids(f));
  EXPECT_EQ(f[0].rule_id, "migration-unused-ignore");
  EXPECT_NE(f[0].message.find("renaming-column"), std::string::npos);
  EXPECT_EQ(f[0].location.line, 1u);
}

TEST(Lint, IgnoreOfADisabledRuleIsNotReportedUnused) {
  auto loaded = LoadMigration("m.sql", "-- pgsift-ignore ban-drop-table\nALTER TABLE t ADD COLUMN c text;\n", {});
  auto all = pgsift::MakeMigrationRules();
  std::vector<const pgsift::MigrationRule*> without_drop_table, with_all;
  for (const auto& r : all) {
    with_all.push_back(r.get());
    if (r->Info().id != "migration-ban-drop-table") without_drop_table.push_back(r.get());
  }
  EXPECT_FALSE(Has(pgsift::LintMigration(loaded, without_drop_table, true), "migration-unused-ignore@1"));
  EXPECT_TRUE(Has(pgsift::LintMigration(loaded, with_all, true), "migration-unused-ignore@1"));
}

TEST(Lint, FindingKeysTellStatementsApartAndIgnoreLineNumbers) {
  std::string sql = "CREATE INDEX a ON t (x);\nCREATE INDEX b ON t (y);\nCREATE TABLE u (p int, q int);\n";
  auto before = LintAll(sql);
  auto after = LintAll("-- a new comment\nSELECT 1;\n" + sql);
  std::set<std::string> keys_before, keys_after;
  for (const auto& f : before) keys_before.insert(f.Key());
  for (const auto& f : after) keys_after.insert(f.Key());
  EXPECT_EQ(keys_before.size(), before.size()) << "two findings share a key";
  EXPECT_EQ(keys_before, keys_after);
}

// A live snapshot's captured_at is cut to the second while stats_reset keeps
// its microseconds: a reset in the same second as the capture (a server
// started a moment before, as in CI) is a short window, not an unknown one.
TEST(LintWorkload, SnapshotWindowAtTheResolutionOfCapturedAt) {
  pgsift::Snapshot s;
  s.database = "clinic";
  pgsift::PgssEntry e;
  e.fingerprint = 42;
  e.query = "SELECT id FROM visits WHERE patient_id = $1";
  e.calls = 300;
  e.total_exec_time = 12.5;
  s.entries.push_back(e);

  s.captured_at = "2026-11-23T16:12:19Z";
  s.stats_reset = "2026-11-23T16:12:19.412345Z";
  pgsift::LintWorkload same_second;
  ASSERT_TRUE(pgsift::AddSnapshotQueries(s, &same_second));
  EXPECT_DOUBLE_EQ(same_second.window_seconds, 1.0);
  ASSERT_EQ(same_second.queries.size(), 1u);
  EXPECT_EQ(same_second.queries[0].calls, 300u);

  s.stats_reset = "2026-11-23T16:10:19.000000Z";
  pgsift::LintWorkload two_minutes;
  ASSERT_TRUE(pgsift::AddSnapshotQueries(s, &two_minutes));
  EXPECT_DOUBLE_EQ(two_minutes.window_seconds, 120.0);

  // A reset after the capture's second, or none at all: no window, nothing added.
  s.stats_reset = "2026-11-23T16:12:20.5Z";
  pgsift::LintWorkload later;
  EXPECT_FALSE(pgsift::AddSnapshotQueries(s, &later));
  EXPECT_TRUE(later.queries.empty());
  s.stats_reset.clear();
  EXPECT_FALSE(pgsift::AddSnapshotQueries(s, &later));
}

TEST(Lint, FindsUpMigrationsOnly) {
  fs::path dir = fs::temp_directory_path() / ("pgsift-lint-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  for (const char* rel : {"gm/0001_a.up.sql", "gm/0001_a.down.sql", "fw/V1__a.sql", "fw/U1__a.sql", "sq/deploy/a.sql",
                          "sq/revert/a.sql", "sq/verify/a.sql", "notes.txt"}) {
    fs::create_directories((dir / rel).parent_path());
    std::ofstream(dir / rel) << "SELECT 1;\n";
  }
  auto files = pgsift::FindMigrationFiles({dir.string()});
  ASSERT_TRUE(files.ok()) << files.error();
  std::vector<std::string> rel;
  for (const auto& f : *files) rel.push_back(fs::relative(f, dir).string());
  EXPECT_EQ(rel, (std::vector<std::string>{"fw/V1__a.sql", "gm/0001_a.up.sql", "sq/deploy/a.sql"}));
  EXPECT_FALSE(pgsift::FindMigrationFiles({(dir / "missing").string()}).ok());
  fs::remove_all(dir);
}

TEST(Config, ReadsLintAndRules) {
  auto c = pgsift::ParseConfig(
      "[lint]\npg_version = 12\nassume_in_transaction = true\nfail_on = \"warning\"\npaths = [\"db\"]\n"
      "[rules]\ndisable = [\"ban-char-field\"]\n[rules.prefer-text-field]\nseverity = \"error\"\nmax = 3\n"
      "[report]\nanything = 1\n",
      "p.toml");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->lint.pg_version, 12);
  EXPECT_EQ(c->lint.assume_in_transaction, true);
  EXPECT_EQ(c->lint.fail_on, "warning");
  EXPECT_EQ(c->lint.paths, std::vector<std::string>{"db"});
  EXPECT_EQ(c->disable, std::vector<std::string>{"migration-ban-char-field"});
  const auto& rc = c->rules.at("migration-prefer-text-field");
  EXPECT_EQ(rc.severity, pgsift::Severity::kError);
  EXPECT_EQ(rc.options.GetString("max", ""), "3");
}

TEST(Config, RejectsUnknownKeysAndRulesWithLine) {
  auto c = pgsift::ParseConfig("[lint]\npg_version = 15\npg_verison = 14\n", "p.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error(), "p.toml:3: unknown key in [lint]: pg_verison");
  c = pgsift::ParseConfig("[rules]\n\ndisable = [\n  \"no-such-rule\"]\n", "p.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error(), "p.toml:4: unknown rule no-such-rule");
  c = pgsift::ParseConfig("[rules.nope]\nseverity = \"error\"\n", "p.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error(), "p.toml:1: unknown rule nope");
  c = pgsift::ParseConfig("[lint\n", "p.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().rfind("p.toml:1: ", 0), 0u) << c.error();
}

}  // namespace

// dbmate and goose keep the down migration in the same file: only the up
// part is linted (and applied by check, and read as schema), and the tool's
// transaction is assumed unless the file turns it off. Real files from the
// tools' own test data (fixtures/migration-tools/ATTRIBUTION.md).
TEST(Lint, ReadsOnlyTheUpSectionOfDbmateAndGooseFiles) {
  const std::string tools = std::string(PGSIFT_FIXTURES) + "/migration-tools/";
  auto load = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    EXPECT_FALSE(text.str().empty()) << path;
    return pgsift::LoadMigration(path, text.str(), pgsift::LintOptions{});
  };
  auto texts = [](const pgsift::LoadedMigration& m) {
    std::vector<std::string> out;
    for (const auto& st : m.file.statements) out.push_back(st.text.substr(0, st.text.find_first_of(" \n")));
    return out;
  };
  auto table = load(tools + "goose/migrations/00001_table.sql");
  EXPECT_EQ(texts(table), (std::vector<std::string>{"CREATE", "CREATE", "CREATE"}));
  EXPECT_TRUE(table.file.assume_in_transaction);
  auto no_tx = load(tools + "goose/migrations/00005_no_tx.sql");
  EXPECT_EQ(texts(no_tx), (std::vector<std::string>{"CREATE"}));
  EXPECT_FALSE(no_tx.file.assume_in_transaction);
  // Lower-case markers, and a down section after a function body.
  auto complex = load(tools + "goose/migrations/00006_complex.sql");
  EXPECT_EQ(texts(complex), (std::vector<std::string>{"CREATE"}));
  auto users = load(tools + "dbmate/db/migrations/20151129054053_test_migration.sql");
  EXPECT_EQ(texts(users), (std::vector<std::string>{"create", "insert"}));
  EXPECT_TRUE(users.file.assume_in_transaction);
  // An explicit setting wins over the markers.
  pgsift::LintOptions no;
  no.assume_in_transaction = false;
  std::ifstream in(tools + "goose/migrations/00003_alter.sql", std::ios::binary);
  std::ostringstream alter;
  alter << in.rdbuf();
  EXPECT_FALSE(pgsift::LoadMigration("00003_alter.sql", alter.str(), no).file.assume_in_transaction);

  // The markers, line by line.
  EXPECT_EQ(pgsift::FindMigrationSections("-- migrate:up transaction:false\nSELECT 1;\n").in_transaction, false);
  EXPECT_EQ(pgsift::FindMigrationSections("SELECT 1;\n").in_transaction, std::nullopt);
  std::string_view goose = "-- +goose Up\nSELECT 1;\n--   +GOOSE DOWN\nDROP TABLE t;\n";
  EXPECT_EQ(goose.substr(0, pgsift::FindMigrationSections(goose).up_end), "-- +goose Up\nSELECT 1;\n");
  // A down marker of the other tool is not one.
  std::string_view mixed = "-- +goose Up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n";
  EXPECT_EQ(pgsift::FindMigrationSections(mixed).up_end, mixed.size());
}

TEST(Lint, SchemaFromGooseFilesKeepsWhatTheDownSectionsDrop) {
  // Read whole, 00001's down section drops both tables again.
  auto s = pgsift::LoadSchemaFiles({std::string(PGSIFT_FIXTURES) + "/migration-tools/goose/migrations"});
  ASSERT_TRUE(s.ok()) << s.error();
  ASSERT_NE(s->Find("", "repos"), nullptr);
  EXPECT_NE(s->Find("", "owners"), nullptr);
}

TEST(Lint, FindsNoDieselDownFile) {
  fs::path dir = fs::temp_directory_path() / ("pgsift-diesel-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  for (const char* rel : {"2020-01-01-000000_users/up.sql", "2020-01-01-000000_users/down.sql"}) {
    fs::create_directories((dir / rel).parent_path());
    std::ofstream(dir / rel) << "SELECT 1;\n";
  }
  auto files = pgsift::FindMigrationFiles({dir.string()});
  ASSERT_TRUE(files.ok()) << files.error();
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(fs::path((*files)[0]).filename(), "up.sql");
  fs::remove_all(dir);
}

// Found by a stranger: the tools' own rules for their markers and
// transactions (dbmate's `^--\s*migrate:down`, goose's NO TRANSACTION
// anywhere, diesel's transaction per migration unless metadata.toml says
// run_in_transaction = false).
TEST(Lint, MigrationToolsMarkersAndTransactionsAsTheToolsReadThem) {
  // An indented marker (here inside a function body) is not one.
  std::string_view body =
      "-- migrate:up\nCREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n    -- migrate:down\n  RETURN 1;\nEND $$ "
      "LANGUAGE plpgsql;\n-- migrate:down\nDROP FUNCTION f();\n";
  auto s = pgsift::FindMigrationSections(body);
  EXPECT_EQ(body.substr(0, s.up_end).find("DROP"), std::string_view::npos);
  EXPECT_NE(body.substr(0, s.up_end).find("RETURN 1"), std::string_view::npos);
  // A down section first, or alone: the tool refuses the file, nothing is linted.
  for (std::string_view refused : {std::string_view("-- migrate:down\nDROP TABLE t;\n"),
                                   std::string_view("-- migrate:down\nDROP TABLE t;\n-- migrate:up\nSELECT 1;\n"),
                                   std::string_view("-- +goose Down\nDROP TABLE t;\n")}) {
    auto r = pgsift::FindMigrationSections(refused);
    EXPECT_EQ(r.up_end, 0u) << refused;
    EXPECT_FALSE(r.problem.empty()) << refused;
    auto loaded = LoadMigration("x.sql", std::string(refused), LintOptions{});
    EXPECT_TRUE(loaded.file.statements.empty()) << refused;
    ASSERT_EQ(loaded.diagnostics.size(), 1u) << refused;
  }
  // goose's NO TRANSACTION after the Down section still counts.
  EXPECT_EQ(pgsift::FindMigrationSections("-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- +goose Down\nDROP "
                                          "INDEX i;\n-- +goose NO TRANSACTION\n")
                .in_transaction,
            false);
  // A byte order mark: markers still found, and no syntax error.
  auto bom = LoadMigration("x.sql", "\xEF\xBB\xBF-- migrate:up\nSELECT 1;\n-- migrate:down\nDROP TABLE t;\n",
                           LintOptions{});
  EXPECT_TRUE(bom.diagnostics.empty());
  ASSERT_EQ(bom.file.statements.size(), 1u);

  // diesel: in a transaction, unless metadata.toml turns it off.
  fs::path dir = fs::temp_directory_path() / ("pgsift-diesel-tx-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "2023-05-01-101010_a");
  fs::create_directories(dir / "2023-05-02-101010_b");
  fs::create_directories(dir / "not_a_version");
  std::ofstream(dir / "2023-05-02-101010_b" / "metadata.toml") << "run_in_transaction = false # CONCURRENTLY\n";
  EXPECT_TRUE(pgsift::LayoutAssumesTransaction((dir / "2023-05-01-101010_a" / "up.sql").string()));
  EXPECT_TRUE(pgsift::LayoutAssumesTransaction((dir / "00000000000000_diesel_initial_setup" / "up.sql").string()));
  EXPECT_FALSE(pgsift::LayoutAssumesTransaction((dir / "2023-05-02-101010_b" / "up.sql").string()));
  EXPECT_FALSE(pgsift::LayoutAssumesTransaction((dir / "not_a_version" / "up.sql").string()));
  fs::remove_all(dir);
}
