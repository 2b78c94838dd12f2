// `pgsift snapshot`: pg_stat_statements and table/index statistics of a live
// database (or a CSV/JSON export of the view) into one gzip JSON file.
#include <iostream>
#include <memory>

#include "commands.h"
#include "pgsift/db.h"
#include "pgsift/event.h"
#include "pgsift/pgss.h"

namespace pgsift::cli {

namespace {

struct SnapshotState {
  ConnectOptions connect;
  std::string output, export_path, label, captured_at;
};

// --captured-at TEXT as the live snapshots' form ("2026-11-23T11:40:45Z"),
// or "" when it cannot be read.
std::string CapturedAt(const std::string& text) {
  bool unknown_zone = false;
  int64_t us = ParseLogTimestamp(text, &unknown_zone);
  if (us == kNoTime || unknown_zone) return "";
  std::string iso = FormatIsoTime(us - ((us % 1000000) + 1000000) % 1000000);
  if (iso.size() > 5 && iso.compare(iso.size() - 5, 5, ".000Z") == 0) iso.replace(iso.size() - 5, 5, "Z");
  return iso;
}

int RunSnapshot(const SnapshotState& s) {
  std::string captured_at;
  if (!s.captured_at.empty()) {
    if (s.export_path.empty()) {
      return Fail("--captured-at is for --from-export (a live snapshot records the server's time)");
    }
    captured_at = CapturedAt(s.captured_at);
    if (captured_at.empty()) {
      return Fail("--captured-at: cannot read time '", s.captured_at,
                  "' (use 'YYYY-MM-DD HH:MM:SS+00' or ISO 8601 with a zone)");
    }
  }
  Result<Snapshot> snap = s.export_path.empty() ? TakeSnapshot(s.connect) : ReadPgssExport(s.export_path);
  if (!snap.ok()) return Fail(snap.error());
  if (!s.label.empty()) snap->database = s.label;
  if (!captured_at.empty()) snap->captured_at = captured_at;
  if (!s.export_path.empty() && !s.connect.include_pgsift) snap->pgsift_left_out = DropPgsiftEntries(&*snap);
  Status written = WriteSnapshot(*snap, s.output);
  if (!written.ok()) return Fail(written.error());
  Say("wrote ", s.output, ": ", snap->entries.size(), " statements, ", snap->tables.size(), " tables, ",
      snap->indexes.size(), " indexes", snap->server_version.empty() ? "" : ", server " + snap->server_version,
      snap->pgsift_left_out > 0 ? "; " + std::to_string(snap->pgsift_left_out) +
                                      " statements of pgsift itself left out (--include-pgsift keeps them)"
                                : "");
  return kExitOk;
}

}  // namespace

Command AddSnapshotCommand(CLI::App& app) {
  auto s = std::make_shared<SnapshotState>();
  CLI::App* cmd = app.add_subcommand(
      "snapshot", "Store pg_stat_statements and table/index statistics as a snapshot (never resets them)");
  cmd->add_option("--dsn", s->connect.dsn, "libpq connection string or URI (default: $DATABASE_URL, then PG* env)");
  cmd->add_option("--from-export", s->export_path,
                  "Read a CSV (with header) or JSON export of pg_stat_statements instead of connecting");
  cmd->add_option("--label", s->label, "Database name to record (for exports, which have none)");
  cmd->add_option("--captured-at", s->captured_at,
                  "When the export was taken (e.g. '2026-11-23 09:00:00+00'): the report's window; live snapshots "
                  "record the server's time themselves");
  cmd->add_option("-o,--output", s->output, "Snapshot file to write (gzip JSON, schema pgsift.snapshot.v1)")
      ->required();
  cmd->add_flag("--all-databases", s->connect.all_databases,
                "Keep pg_stat_statements rows of every database on the server (default: the connected one)");
  cmd->add_flag("--include-pgsift", s->connect.include_pgsift,
                "Keep pg_stat_statements rows of pgsift's own statements (left out by default)");
  cmd->add_option("--statement-timeout", s->connect.statement_timeout_ms, "Milliseconds per query")->default_val(60000);
  return {cmd, [s]() { return RunSnapshot(*s); }};
}

}  // namespace pgsift::cli
