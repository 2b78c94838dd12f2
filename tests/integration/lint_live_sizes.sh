#!/usr/bin/env bash
# `pgsift lint --dsn` on a live PostgreSQL 15 (a read-only session): table
# sizes reach migration-rewrites-large-table as a snapshot file would; its
# pg_stat_statements (since stats_reset) stand in for an analyze JSON
# (migration-locks-hot-table); its indexes stand in for --schema
# (migration-drops-used-index). A bad DSN exits 2 without its password.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/../pg/pgctl.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-lintlive.XXXXXX")
chmod 755 "$work"
cleanup() { pg_stop "$work" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
pg_start "$work" "shared_preload_libraries = 'pg_stat_statements'" \
  "log_min_duration_statement = 0" "log_line_prefix = '%m app=%a '" \
  "logging_collector = on" "log_directory = 'log'" "log_filename = 'pg.log'" >/dev/null 2>&1
bindir=$(_pg_bindir)
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION pg_stat_statements;
CREATE TABLE visits (id bigint PRIMARY KEY, patient_id integer NOT NULL, notes text NOT NULL);
INSERT INTO visits SELECT g, g % 5000, repeat('vitals recorded ', 4) FROM generate_series(1, 60000) g;
CREATE TABLE clinics (id integer PRIMARY KEY, name text NOT NULL);
CREATE INDEX visits_patient_idx ON visits (patient_id);
VACUUM ANALYZE;
SQL
# Reads on visits, seen by pg_stat_statements (its stats_reset is the window).
for i in $(seq 1 300); do echo "SELECT id FROM visits WHERE patient_id = $i;"; done |
  "$bindir/psql" -X -q -v ON_ERROR_STOP=1 >/dev/null
cat >"$work/V7__widen.sql" <<'SQL'
ALTER TABLE visits ALTER COLUMN notes TYPE varchar(500);
ALTER TABLE clinics ALTER COLUMN name TYPE varchar(200);
DROP INDEX visits_patient_idx;
SQL
printf '[rules.migration-rewrites-large-table]\nmin_size_mb = 1\n' >"$work/pgsift.toml"

status=0
fail() { echo "FAIL: $*"; status=1; }
set +e
out=$("$pgsift" lint --config "$work/pgsift.toml" --dsn "" "$work/V7__widen.sql" 2>&1)
code=$?
set -e
echo "$out" | grep -A3 "migration-rewrites-large-table" || true
[ "$code" -eq 1 ] || fail "lint --dsn: exit $code: $out"
echo "$out" | grep -q 'V7__widen.sql:1:1: error\[migration-rewrites-large-table\] ALTER COLUMN notes TYPE rewrites visits (' ||
  fail "no rewrite finding for visits"
echo "$out" | grep -Eq 'visits: [0-9.]+ MB, [0-9]+ live rows' || fail "size and live rows from pg_stat_user_tables"
echo "$out" | grep -q 'rewrites clinics' && fail "clinics is below min_size_mb"
# Without an analyze JSON, the live pg_stat_statements give the query rates.
echo "$out" | grep -q 'V7__widen.sql:1:1: warning\[migration-locks-hot-table\] .* on visits' ||
  fail "no locks-hot-table finding from the live pg_stat_statements: $out"
echo "$out" | grep -q 'SELECT id FROM visits WHERE patient_id = \$1' || fail "the blocked query, normalized"
# ... and the live indexes tell what the DROP INDEX takes from those queries.
echo "$out" | grep -q 'V7__widen.sql:3:1: .*\[migration-drops-used-index\] dropping index visits_patient_idx on visits (patient_id)' ||
  fail "no drops-used-index finding from the live schema: $out"
# pgsift's session was read-only and named itself.
grep -q 'app=pgsift/lint .*statement: SET /\* pgsift \*/ default_transaction_read_only = on' "$work/data/log/pg.log" ||
  fail "the lint session did not set default_transaction_read_only"

set +e
out=$("$pgsift" lint --dsn "postgresql://clinic:Secr3tPw@127.0.0.1:1/clinic?connect_timeout=2" "$work/V7__widen.sql" 2>&1)
code=$?
set -e
[ "$code" -eq 2 ] || fail "unreachable DSN: exit $code"
echo "$out" | grep -q 'Secr3tPw' && fail "password printed: $out"
echo "$out" | grep -q 'user=clinic password=\*\*\* dbname=clinic host=127.0.0.1 port=1' || fail "redacted DSN not named: $out"
[ "$status" -eq 0 ] && echo "lint --dsn: sizes from the live database, read-only session, password redacted"
exit "$status"
