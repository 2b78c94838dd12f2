#!/usr/bin/env bash
# Live: a real PostgreSQL 15 with pg_stat_statements (fixtures/pgss/
# make_snapshots.sh): snapshot, workload, drop an index, new query,
# snapshot, full reset, snapshot. Then the report must name exactly the
# slowed query as a regression, the new query as new, leave the untouched
# queries out of both, detect the reset, never reset the view itself, and
# never print a planted canary value.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
out=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-pgss-live.XXXXXX")
trap 'rm -rf "$out"' EXIT
"$here/../../fixtures/pgss/make_snapshots.sh" "$pgsift" "$out" >"$out/make.out" 2>&1 || { cat "$out/make.out"; exit 1; }
for f in md json html; do
  "$pgsift" report --from "$out/a.json.gz" --to "$out/b.json.gz" --format "$f" -o "$out/ab.$f"
done
"$pgsift" report --from "$out/b.json.gz" --to "$out/c.json.gz" --format json -o "$out/bc.json"
# A log of another run (fixtures/logs): none of its records is in this
# window; the report says so instead of counting them.
"$pgsift" report --from "$out/a.json.gz" --to "$out/b.json.gz" --logs "$here/../../fixtures/logs/clinic.stderr.log" \
  --format md -o "$out/ab_foreign_logs.md"
# Snapshots and log of one run (fixtures/report_window).
window=$here/../../fixtures/report_window
"$pgsift" report --from "$window/clinic.from.json.gz" --to "$window/clinic.to.json.gz" \
  --logs "$window/clinic.stderr.log" --format md -o "$out/ab_logs.md"
# Fleet: partial results made separately, merged in one report.
"$pgsift" report --from "$out/a.json.gz" --to "$out/b.json.gz" --label north --partial -o "$out/north.partial.json"
"$pgsift" report --from "$out/b.json.gz" --to "$out/c.json.gz" --label south --partial -o "$out/south.partial.json"
"$pgsift" report --merge "$out/south.partial.json" "$out/north.partial.json" --format json -o "$out/fleet.json"
"$pgsift" report --merge "$out/north.partial.json" "$out/south.partial.json" --format md -o "$out/fleet.md"
python3 "$here/pgss_report_check.py" "$out"
