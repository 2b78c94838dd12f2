// `pgsift snapshot`: pg_stat_statements and table/index statistics of a live
// database (or a CSV/JSON export of the view) into one gzip JSON file.
#include <iostream>
#include <memory>

#include "commands.h"
#include "pgsift/db.h"
#include "pgsift/pgss.h"

namespace pgsift::cli {

namespace {

struct SnapshotState {
  ConnectOptions connect;
  std::string output, export_path, label;
};

int RunSnapshot(const SnapshotState& s) {
  Result<Snapshot> snap = s.export_path.empty() ? TakeSnapshot(s.connect) : ReadPgssExport(s.export_path);
  if (!snap.ok()) return Fail(snap.error());
  if (!s.label.empty()) snap->database = s.label;
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
