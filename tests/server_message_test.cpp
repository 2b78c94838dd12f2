// db::ServerMessage / RedactServerLine: what pgsift shows of a server's
// error never quotes a value (issue 16 §3), and keeps catalog names.
#include "db/server_message.h"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>

namespace pgsift::db {
namespace {

constexpr const char* kValue = "山田花子";

TEST(ServerMessage, PrimaryMessageValueIsRedacted) {
  std::string libpq = std::string("ERROR:  invalid input syntax for type bigint: \"") + kValue +
                      "\"\nLINE 1: SELECT '" + kValue + "'::bigint\n               ^\n";
  std::string shown = ServerMessage(libpq, "22P02", false);
  EXPECT_EQ(shown, "invalid input syntax for type bigint: \"<redacted>\"");
  // --show-values: the primary line as the server wrote it.
  EXPECT_EQ(ServerMessage(libpq, "22P02", true),
            std::string("invalid input syntax for type bigint: \"") + kValue + "\"");
}

// Only the primary message is shown: DETAIL, CONTEXT, HINT and the
// statement text ("LINE 1: ...") never are.
TEST(ServerMessage, OnlyThePrimaryMessageIsShown) {
  std::string libpq = std::string("ERROR:  duplicate key value violates unique constraint \"patients_ins_key\"\n") +
                      "DETAIL:  Key (insurance_no)=(" + kValue + ") already exists.\n" +
                      "CONTEXT:  unnamed portal parameter $1 = '" + kValue + "'\n" + "LINE 1: INSERT INTO p VALUES ('" +
                      kValue + "')\n" + "                               ^\n" + "HINT:  Perhaps \"" + kValue + "\".\n";
  EXPECT_EQ(ServerMessage(libpq, "23505", false), "duplicate key value violates unique constraint \"patients_ins_key\"");
}

TEST(ServerMessage, ValueShapes) {
  struct Case {
    std::string in, want;
  };
  const Case cases[] = {
      {"value \"99999999999\" is out of range for type integer",
       "value \"<redacted>\" is out of range for type integer"},
      {"date/time field value out of range: \"1951-13-45\"", "date/time field value out of range: \"<redacted>\""},
      {"DETAIL:  Failing row contains (9, 山田, x, 1800-01-01).", "DETAIL:  Failing row contains (<redacted>)."},
      {"DETAIL:  Key (name)=(山田) is duplicated.", "DETAIL:  Key (name)=(<redacted>) is duplicated."},
      {"DETAIL:  Key (pid)=(17) is not present in table \"patients\".",
       "DETAIL:  Key (pid)=(<redacted>) is not present in table \"<redacted>\"."},
      // A value holding quotes and parentheses of its own stays inside the redaction.
      {"DETAIL:  Key (name)=(a) already exists. \"b\" (c) is duplicated.",
       "DETAIL:  Key (name)=(<redacted>) is duplicated."},
      {"invalid input syntax for type integer: \"a\" x \"b\"", "invalid input syntax for type integer: \"<redacted>\""},
      {"invalid input syntax for type json", "invalid input syntax for type json"},
      {"DETAIL:  Token \"山田\" is invalid.", "DETAIL:  Token \"<redacted>\" is invalid."},
      {"CONTEXT:  JSON data, line 1: 山田...", "CONTEXT:  JSON data, line 1: <redacted>"},
      {"CONTEXT:  COPY patients, line 2, column name: \"山田\"",
       "CONTEXT:  COPY patients, line 2, column name: \"<redacted>\""},
      {"invalid byte sequence for encoding \"UTF8\": 0xe5 0xb1",
       "invalid byte sequence for encoding \"UTF8\": <redacted> <redacted>"},
      {"syntax error at or near \"'山田'\"", "syntax error at or near \"<redacted>\""},
      {"unterminated quoted string at or near \"'山田", "unterminated quoted string at or near \"<redacted>"},
      // An expression index's column list with a literal, a value with a quote.
      {"DETAIL:  Key ((name || 'x'::text))=(O'Brien 山田) already exists.",
       "DETAIL:  Key ((name || '<redacted>'::text))=(<redacted>) already exists."},
      {"character with byte sequence 0xe5 0xb1 in encoding \"UTF8\" has no equivalent in encoding \"LATIN1\"",
       "character with byte sequence <redacted> <redacted> in encoding \"UTF8\" has no equivalent in encoding "
       "\"LATIN1\""},
      // Identifiers of the catalog are kept where the message shape says so.
      {"relation \"patients\" does not exist", "relation \"patients\" does not exist"},
      {"column \"nam\" of relation \"patients\" does not exist",
       "column \"nam\" of relation \"patients\" does not exist"},
      {"new row for relation \"patients\" violates check constraint \"patients_birth_date_check\"",
       "new row for relation \"patients\" violates check constraint \"patients_birth_date_check\""},
      {"null value in column \"name\" of relation \"patients\" violates not-null constraint",
       "null value in column \"name\" of relation \"patients\" violates not-null constraint"},
      {"could not create unique index \"patients_name_key\"", "could not create unique index \"patients_name_key\""},
      {"value for domain mrn violates check constraint \"mrn_check\"",
       "value for domain mrn violates check constraint \"mrn_check\""},
      // ... but only there: a shape's words later in a line do not make a value a name.
      {"invalid input syntax for type bigint: \"relation \"x\"\"",
       "invalid input syntax for type bigint: \"<redacted>\""},
      // An apostrophe inside a word does not open a quote.
      {"the server's answer", "the server's answer"},
      {"operator does not exist: text = integer", "operator does not exist: text = integer"},
  };
  for (const Case& c : cases) EXPECT_EQ(RedactServerLine(c.in), c.want) << c.in;
}

// Messages in the server's language (lc_messages): the translations of
// "invalid input syntax for type %s: \"%s\"" and of the severity tags as
// PostgreSQL 15's catalogs write them (de, fr, es quote with guillemets).
TEST(ServerMessage, TranslatedMessagesAreRedacted) {
  struct Case {
    std::string libpq, want;
  };
  const std::string v = kValue;
  const Case cases[] = {
      {"FEHLER:  ungültige Eingabesyntax für Typ integer: \u00bb" + v + "\u00ab\n",
       "ungültige Eingabesyntax für Typ integer: \u00bb<redacted>\u00ab"},
      {"ERREUR:  syntaxe en entrée invalide pour le type integer : \u00ab " + v + " \u00bb\n",
       "syntaxe en entrée invalide pour le type integer : \u00ab<redacted>\u00bb"},
      {"ERROR:  la sintaxis de entrada no es válida para tipo integer: \u00ab" + v + "\u00bb\n",
       "la sintaxis de entrada no es válida para tipo integer: \u00ab<redacted>\u00bb"},
      // Japanese quotes the type name too: from the first quote to the last.
      {"ERROR:  \"integer\"型の入力構文が不正です: \"" + v + "\"\n", "\"<redacted>\""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ServerMessage(c.libpq, "22P02", false), c.want) << c.libpq;
  }
}

TEST(ServerMessage, PlpgsqlRaiseIsWithheldWhole) {
  std::string shown = ServerMessage(std::string("ERROR:  patient ") + kValue + " not found\n", "P0001", false);
  EXPECT_EQ(shown.find(kValue), std::string::npos) << shown;
  EXPECT_NE(shown.find("P0001"), std::string::npos) << shown;
  // The same through a pqxx exception, which carries the SQLSTATE.
  pqxx::sql_error e(std::string("ERROR:  patient ") + kValue + " not found\n", "SELECT 1", "P0001");
  EXPECT_EQ(ServerMessage(e).find(kValue), std::string::npos);
}

}  // namespace
}  // namespace pgsift::db
