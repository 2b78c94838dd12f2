// The gate between untrusted SQL text and a server: the privilege
// escalation payload of issue 16 and its variants are refused, ordinary
// workload statements pass, and reasons never quote the text.
#include "pgsift/statement_gate.h"

#include <gtest/gtest.h>

#include <string>

namespace pgsift {
namespace {

// Refused for every use, and the reason holds no text of the statement.
void ExpectRefused(const std::string& sql, const std::string& secret = "reporter") {
  for (StatementUse use : {StatementUse::kExecuted, StatementUse::kPlanOnly, StatementUse::kRolledBack}) {
    Status s = CheckUntrustedStatement(sql, use);
    EXPECT_FALSE(s.ok()) << sql;
    if (!s.ok() && !secret.empty()) {
      EXPECT_EQ(s.error().find(secret), std::string::npos) << s.error();
    }
  }
}

void ExpectAllowed(const std::string& sql, StatementUse use = StatementUse::kExecuted) {
  Status s = CheckUntrustedStatement(sql, use);
  EXPECT_TRUE(s.ok()) << sql << ": " << (s.ok() ? "" : s.error());
}

TEST(StatementGate, RefusesThePrivilegeEscalationPayload) {
  ExpectRefused("SELECT 1; COMMIT; BEGIN READ WRITE; ALTER ROLE reporter CREATEROLE; COMMIT");
  Status s = CheckUntrustedStatement("SELECT 1; COMMIT; BEGIN READ WRITE; ALTER ROLE reporter CREATEROLE; COMMIT",
                                     StatementUse::kPlanOnly);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), "5 statements (exactly one is allowed)");
}

TEST(StatementGate, SemicolonsInCommentsAndQuotesAreNoSeparators) {
  // One statement each: the parser, not a text search, says so.
  ExpectAllowed("SELECT 1 /* ; COMMIT; ALTER ROLE reporter CREATEROLE; */");
  ExpectAllowed("SELECT 1 -- ; ALTER ROLE reporter CREATEROLE\n");
  ExpectAllowed("SELECT $$; ALTER ROLE reporter CREATEROLE; $$");
  ExpectAllowed("SELECT $tag$; COMMIT; $tag$, ';'");
  // And a separator hidden between a comment and a dollar quote is found.
  ExpectRefused("SELECT 1 /* x */; ALTER ROLE reporter CREATEROLE");
  ExpectRefused("SELECT $$x$$; ALTER ROLE reporter CREATEROLE");
  ExpectRefused("SELECT 1 /* nested /* ; */ */; ALTER ROLE reporter SUPERUSER");
  ExpectRefused("SELECT ';'; ALTER ROLE reporter SUPERUSER; SELECT ';'");
}

TEST(StatementGate, RefusesTransactionControlAndUtilityStatements) {
  for (const char* sql : {
           "COMMIT AND CHAIN",
           "COMMIT",
           "BEGIN READ WRITE",
           "ROLLBACK",
           "SAVEPOINT a",
           "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
           "SET default_transaction_read_only = off",
           "RESET ALL",
           "DO $$BEGIN EXECUTE 'ALTER ROLE reporter CREATEROLE'; END$$",
           "COPY (SELECT 1) TO PROGRAM 'touch /tmp/reporter'",
           "COPY t FROM '/etc/passwd'",
           "CALL reporter_proc()",
           "PREPARE p AS SELECT 1",
           "EXECUTE p",
           "LOCK TABLE t",
           "ALTER ROLE reporter CREATEROLE",
           "ALTER SYSTEM SET fsync = off",
           "CREATE TABLE reporter_canary (id int)",
           "DROP TABLE t",
           "TRUNCATE t",
           "VACUUM t",
           "EXPLAIN ANALYZE DELETE FROM t",
           "GRANT reporter TO postgres",
           "LISTEN x",
           "LOAD 'reporter'",
           "DISCARD ALL",
           "CHECKPOINT",
       }) {
    ExpectRefused(sql);
  }
  Status s = CheckUntrustedStatement("COMMIT AND CHAIN", StatementUse::kRolledBack);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), "transaction control (TransactionStmt)");
  s = CheckUntrustedStatement("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", StatementUse::kPlanOnly);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), "a utility statement (VariableSetStmt)");
}

TEST(StatementGate, RefusesFunctionsWithSideEffectsAnywhereInTheTree) {
  for (const char* sql : {
           "SELECT set_config('default_transaction_read_only','off',false)",
           "SELECT pg_catalog.set_config('default_transaction_read_only','off',false)",
           "SELECT PG_CATALOG.SET_CONFIG('x','y',true)",
           "SELECT \"set_config\"('x','y',true)",
           "SELECT * FROM t WHERE id = (SELECT 1 FROM s WHERE set_config('a','b',false) IS NOT NULL)",
           "SELECT dblink_exec('dbname=postgres', 'ALTER ROLE reporter SUPERUSER')",
           "SELECT * FROM dblink('dbname=postgres', 'SELECT 1') AS x(a int)",
           "SELECT public.dblink_exec('x', 'y')",
           "SELECT lo_export(1234, '/tmp/reporter')",
           "SELECT lo_import('/etc/passwd')",
           "SELECT pg_read_file('/etc/passwd')",
           "SELECT pg_read_binary_file('/etc/passwd')",
           "SELECT * FROM pg_ls_dir('.')",
           "SELECT pg_stat_file('postgresql.conf')",
           "SELECT pg_terminate_backend(pid) FROM pg_stat_activity",
           "SELECT pg_cancel_backend(1)",
           "SELECT pg_reload_conf()",
           "SELECT pg_rotate_logfile()",
           "SELECT nextval('s')",
           "SELECT setval('s', 1)",
           "SELECT pg_advisory_lock(1)",
           "SELECT pg_try_advisory_xact_lock(1)",
           "SELECT pg_sleep(100)",
           "SELECT pg_switch_wal()",
           "SELECT pg_create_logical_replication_slot('s', 'test_decoding')",
           "SELECT pg_promote()",
           "SELECT query_to_xml('ALTER ROLE reporter SUPERUSER', true, false, '')",
           "SELECT cursor_to_xml('c', 1, true, false, '')",
           "SELECT table_to_xml('t', true, false, '')",
           "SELECT cron.schedule('* * * * *', 'ALTER ROLE reporter SUPERUSER')",
           "SELECT hypopg_reset()",
           "SELECT * FROM ts_stat('SELECT set_config(''a'', ''b'', false)::tsvector')",
           "SELECT ts_rewrite('a'::tsquery, 'SELECT pg_reload_conf()')",
           "SELECT brin_summarize_new_values('i'::regclass)",
           "SELECT * FROM ROWS FROM (dblink('x', 'y') AS (a int), generate_series(1, 2))",
           "SELECT count(*) FILTER (WHERE pg_try_advisory_lock(1)) FROM t",
           "SELECT sum(x) OVER (ORDER BY pg_sleep(1)::text) FROM t",
           "WITH x AS (SELECT set_config('a', 'b', false)) SELECT * FROM x",
           "SELECT * FROM t ORDER BY pg_sleep(1)",
           "SELECT id FROM t GROUP BY id HAVING count(*) > pg_advisory_lock(1)::text::int",
           "VALUES (nextval('s'))",
           "INSERT INTO t VALUES (nextval('s'))",
       }) {
    ExpectRefused(sql);
  }
  Status s = CheckUntrustedStatement("SELECT PG_CATALOG.SET_CONFIG('x','y',true)", StatementUse::kRolledBack);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), "calls set_config(), a function with side effects or reach outside the query");
}

TEST(StatementGate, RefusesDataModifyingWithSelectIntoAndCatalogWrites) {
  ExpectRefused("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d");
  ExpectRefused("WITH i AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM i");
  ExpectRefused("WITH u AS (UPDATE pg_authid SET rolsuper = true RETURNING 1) SELECT * FROM u");
  ExpectRefused("SELECT * INTO reporter_canary FROM t");
  ExpectRefused("UPDATE pg_settings SET setting = 'off' WHERE name = 'default_transaction_read_only'");
  ExpectRefused("UPDATE pg_catalog.pg_authid SET rolsuper = true WHERE rolname = 'reporter'");
  ExpectRefused("DELETE FROM information_schema.sql_features");
}

TEST(StatementGate, UnparsableEmptyAndNulAreRefused) {
  ExpectRefused("");
  ExpectRefused("   ");
  ExpectRefused("-- only a comment");
  ExpectRefused("/* only */");
  ExpectRefused(";");
  ExpectRefused("SELEC reporter FROM");
  ExpectRefused("SELECT 'unterminated reporter");
  ExpectRefused(std::string("SELECT 1\0; ALTER ROLE reporter CREATEROLE", 42));
  Status s = CheckUntrustedStatement("SELECT * FROM t WHERE x = 'Brien' AND", StatementUse::kExecuted);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), "does not parse");  // the parser's "at or near ..." is not shown
}

TEST(StatementGate, DataModifyingStatementsOnlyWhenNotExecutedForReal) {
  for (const char* sql :
       {"INSERT INTO t (a) VALUES ($1)", "UPDATE t SET a = $1 WHERE id = $2", "DELETE FROM t WHERE id = $1",
        "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a",
        "SELECT * FROM t WHERE id = $1 FOR UPDATE SKIP LOCKED"}) {
    EXPECT_FALSE(CheckUntrustedStatement(sql, StatementUse::kExecuted).ok()) << sql;
    ExpectAllowed(sql, StatementUse::kPlanOnly);
    ExpectAllowed(sql, StatementUse::kRolledBack);
  }
}

TEST(StatementGate, OrdinaryQueriesPass) {
  for (const char* sql : {
           "SELECT 1",
           "SELECT 1;",
           "select * from patients where id = $1",
           "SELECT a.id, count(*) FROM appointments a JOIN patients p ON p.id = a.patient_id WHERE p.name = $1 "
           "GROUP BY a.id ORDER BY 2 DESC LIMIT $2",
           "WITH recent AS (SELECT * FROM t WHERE ts > now() - interval '1 day') SELECT count(*) FROM recent",
           "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r",
           "VALUES (1, 'a'), (2, 'b')",
           "TABLE patients",
           "SELECT * FROM t WHERE id IN ($1, $2, $3) AND name LIKE $4",
           "SELECT lower(name), coalesce(x, 0), now(), txid_current(), pg_current_xact_id() FROM t",
           "SELECT * FROM generate_series(1, 10)",
           "SELECT currval('s')",
           "SELECT 'nextval(1); COMMIT'",
       }) {
    ExpectAllowed(sql);
  }
}

TEST(StatementGate, DeniedFunctionReasonIsCaseInsensitiveAndSchemaAware) {
  EXPECT_NE(DeniedFunctionReason("", "SET_CONFIG"), "");
  EXPECT_NE(DeniedFunctionReason("pg_catalog", "pg_read_file"), "");
  EXPECT_NE(DeniedFunctionReason("public", "dblink_exec"), "");
  EXPECT_NE(DeniedFunctionReason("CRON", "anything"), "");
  EXPECT_EQ(DeniedFunctionReason("", "dblink_exec"),
            "calls dblink*(), a function with side effects or reach outside the query");
  EXPECT_EQ(DeniedFunctionReason("", "lo_export"),
            "calls lo_*(), a function with side effects or reach outside the query");
  EXPECT_EQ(DeniedFunctionReason("", "lower"), "");
  EXPECT_EQ(DeniedFunctionReason("pg_catalog", "txid_current"), "");
  EXPECT_EQ(DeniedFunctionReason("", "pg_current_xact_id"), "");
}

TEST(StatementGate, LiteralsAreParsedNotCopied) {
  auto s = ParseUntrustedLiteral("'O''Brien'");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, SqlLiteral::Kind::kString);
  EXPECT_EQ(s->text, "O'Brien");
  s = ParseUntrustedLiteral("E'a\\'b'");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->text, "a'b");
  s = ParseUntrustedLiteral("$x$it's; COMMIT$x$");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->text, "it's; COMMIT");
  s = ParseUntrustedLiteral("''");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, SqlLiteral::Kind::kString);
  EXPECT_EQ(s->text, "");
  s = ParseUntrustedLiteral("42");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, SqlLiteral::Kind::kNumber);
  EXPECT_EQ(s->text, "42");
  s = ParseUntrustedLiteral("0");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->text, "0");
  s = ParseUntrustedLiteral(" -7 /* c */");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->text, "-7");
  s = ParseUntrustedLiteral("-1.5e3");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->text, "-1.5e3");
  s = ParseUntrustedLiteral("123456789012345678901234567890");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->text, "123456789012345678901234567890");
  s = ParseUntrustedLiteral("1.");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->text, "1.");
  s = ParseUntrustedLiteral(".5E+2");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->text, ".5E+2");
  s = ParseUntrustedLiteral("NULL");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, SqlLiteral::Kind::kNull);
  s = ParseUntrustedLiteral("false");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, SqlLiteral::Kind::kBool);
  EXPECT_EQ(s->text, "false");
}

TEST(StatementGate, ParametersThatAreNoLiteralAreRefused) {
  for (const char* v : {
           "1); COMMIT; BEGIN READ WRITE; ALTER ROLE reporter CREATEROLE; COMMIT; SELECT (1",
           "1, 2",
           "(SELECT 1)",
           "set_config('default_transaction_read_only', 'off', false)",
           "1 FROM pg_authid",
           "'x'::text",
           "'reporter' || 'x'",
           "1 + 1",
           "x",
           "$1",
           "",
           "1 AS reporter",
           "'a'; ALTER ROLE reporter SUPERUSER; SELECT 'b'",
       }) {
    auto r = ParseUntrustedLiteral(v);
    EXPECT_FALSE(r.ok()) << v;
    if (!r.ok()) {
      EXPECT_EQ(r.error().find("reporter"), std::string::npos) << r.error();
    }
  }
}

}  // namespace
}  // namespace pgsift
