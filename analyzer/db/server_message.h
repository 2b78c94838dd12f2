// Internal to analyzer/db/: the one place that decides what pgsift shows of a
// server's message. PostgreSQL quotes values in its messages ("invalid input
// syntax for type bigint: \"<value>\"", "Key (mrn)=(<value>) already exists.",
// "Failing row contains (...)", CONTEXT "parameter $1 = '<value>'"), and
// libpq appends the statement text ("LINE 1: ..."). Every path that shows a
// server message goes through ServerMessage, which shows the primary message
// only (DETAIL, HINT, CONTEXT and the statement text are never shown).
//
// The rule (deliberately simple, so that it is safe for message shapes not
// listed here, and for the server's translations: lc_messages is the
// server's choice): in every line, every quoted part (single, double, and
// the quotes translations use: German »…«, Spanish «…», French « … »),
// every hex byte sequence (0x..), the values of "Key (...)=(...)" and the row
// of "Failing row contains (...)" become <redacted>. A double-quoted part is
// kept only when the line starts with one of a fixed list of message shapes
// whose quoted slot is the name of a catalog object (relation "%s" does not
// exist, duplicate key value violates unique constraint "%s", ...), the
// slot is at that position and holds a plausible name (no quote, at most 128
// bytes). Messages raised by PL/pgSQL code (SQLSTATE class P0) are free text
// and are withheld whole.
#pragma once

#include <exception>
#include <string>
#include <string_view>

namespace pgsift::db {

// One line of a server message (a primary message or a DETAIL/HINT/CONTEXT
// line, its "DETAIL:  " tag included or not) with every value redacted.
std::string RedactServerLine(std::string_view line);

// What pgsift shows of an error from the server: the primary message only,
// without its "ERROR:  " tag; values redacted unless `show_values`.
// `sqlstate` (may be empty) withholds PL/pgSQL RAISE texts. The severity
// tag is removed in the server's language too ("FEHLER:  ").
std::string ServerMessage(std::string_view libpq_text, std::string_view sqlstate, bool show_values);
// The same for an exception from pqxx (its SQLSTATE read when it has one).
std::string ServerMessage(const std::exception& e, bool show_values = false);

}  // namespace pgsift::db
