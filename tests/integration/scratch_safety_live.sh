#!/usr/bin/env bash
# The scratch database of `pgsift check` on a real PostgreSQL 15 (issue 16
# §4): SIGTERM, SIGINT and SIGHUP during a check --create-scratch-from leave
# no pgsift_scratch_* database; a copy left by a pgsift killed with SIGKILL
# (marked 'pgsift:scratch pid=N host=H') is dropped by the next run; a
# migration with CREATE ROLE on the source's cluster is refused with its file
# and line and the role never exists; --scratch-is-disposable refuses a
# database without the 'pgsift:scratch' marker and names the command that
# marks it, which then works.
set -uo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
fx=$here/../../fixtures/baseline
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-scratchsafe.XXXXXX")
chmod 755 "$work"
trap 'pg_stop "$work/pg" >/dev/null 2>&1 || true; pg_stop "$work/pg2" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
pg_start "$work/pg" "lc_messages = 'C'" "max_prepared_transactions = 4" >/dev/null 2>&1 ||
  { echo "cannot start PostgreSQL" >&2; exit 1; }
# Background jobs get the default SIGINT disposition (not ignored).
set -m

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
scratch_dbs() { psql -XqAt -c "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname LIKE 'pgsift\_scratch\_%'"; }

psql -XqAt -c "CREATE DATABASE clinic"
psql -XqAt -d clinic -v ON_ERROR_STOP=1 -f "$fx/schema.sql" >/dev/null
"$pgsift" baseline capture --dsn dbname=clinic --queries "$fx/queries.sql" -o "$work/base.json" 2>/dev/null ||
  { echo "capture failed" >&2; exit 1; }
grep -q '"system_identifier": "[0-9]' "$work/base.json" || fail "the baseline records no system_identifier"
mkdir -p "$work/slow" "$work/role" "$work/ok"
printf 'SELECT pg_sleep(60);\n' >"$work/slow/V1__slow.sql"
printf 'CREATE TABLE visits_note (id int);\nCREATE ROLE pgsift_evil_role LOGIN;\n' >"$work/role/V1__role.sql"
printf 'ALTER TABLE patients ADD COLUMN note text;\n' >"$work/ok/V1__note.sql"

# start_slow: a check whose migration sleeps; waits until it is sleeping.
start_slow() {
  "$pgsift" check --baseline "$work/base.json" --migrations "$work/slow" --create-scratch-from dbname=clinic \
    --statement-timeout 120000 --no-lint >"$work/slow.out" 2>"$work/slow.err" &
  pid=$!
  for _ in $(seq 1 200); do
    [ "$(psql -XqAt -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%' AND datname LIKE 'pgsift\_scratch\_%'")" = 1 ] && return 0
    sleep 0.1
  done
  fail "the slow migration never started: $(cat "$work/slow.err")"
}

# 1. Interrupted runs clean up.
for sig in TERM INT HUP; do
  start_slow
  [ "$(scratch_dbs)" = "pgsift_scratch_$pid" ] || fail "SIG$sig: scratch database not there while running: $(scratch_dbs)"
  comment=$(psql -XqAt -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'pgsift_scratch_$pid'")
  [ "$comment" = "pgsift:scratch pid=$pid host=$(hostname)" ] || fail "marker comment: '$comment'"
  start=$(date +%s)
  kill -s "$sig" "$pid"
  wait "$pid"
  rc=$?
  took=$(($(date +%s) - start))
  num=$(kill -l "$sig")
  [ "$rc" -eq $((128 + num)) ] || fail "SIG$sig: exit $rc, expected $((128 + num)): $(cat "$work/slow.err")"
  [ "$took" -le 15 ] || fail "SIG$sig: took $took s to stop"
  grep -q "interrupted by SIG$sig; the scratch database was dropped" "$work/slow.err" ||
    fail "SIG$sig: message: $(cat "$work/slow.err")"
  [ -z "$(scratch_dbs)" ] || fail "SIG$sig left $(scratch_dbs)"
  echo "SIG$sig: exit $rc after $took s, no scratch database left"
done

# 2. SIGKILL leaves the marked copy; the next run drops it (its process is gone).
start_slow
kill -s KILL "$pid"
wait "$pid" 2>/dev/null
left=pgsift_scratch_$pid
[ "$(scratch_dbs)" = "$left" ] || fail "SIGKILL: expected $left to be left, got '$(scratch_dbs)'"
"$pgsift" check --baseline "$work/base.json" --migrations "$work/ok" --create-scratch-from dbname=clinic \
  --no-lint >"$work/out" 2>"$work/err"
rc=$?
[ "$rc" -eq 0 ] || fail "the run after SIGKILL: exit $rc: $(cat "$work/err")"
grep -q "dropped the stale scratch database $left (left by pgsift process $pid on this host, which is gone)" \
  "$work/err" || fail "no note about the stale database: $(cat "$work/err")"
[ -z "$(scratch_dbs)" ] || fail "stale database not dropped: $(scratch_dbs)"
# A marked database of a process that still runs, or of another host, stays.
sleep 300 &
alive=$!
psql -XqAt -c "CREATE DATABASE pgsift_scratch_$alive" \
  -c "COMMENT ON DATABASE pgsift_scratch_$alive IS 'pgsift:scratch pid=$alive host=$(hostname)'" \
  -c "CREATE DATABASE pgsift_scratch_1" -c "COMMENT ON DATABASE pgsift_scratch_1 IS 'pgsift:scratch pid=1 host=another-host'"
"$pgsift" check --baseline "$work/base.json" --migrations "$work/ok" --create-scratch-from dbname=clinic \
  --no-lint >"$work/out" 2>"$work/err" || fail "run with live and foreign copies: $(cat "$work/err")"
[ "$(scratch_dbs)" = "$(printf '%s\n' "pgsift_scratch_1" "pgsift_scratch_$alive" | sort | paste -sd,)" ] ||
  fail "a live or foreign copy was dropped: $(scratch_dbs)"
kill "$alive"
psql -XqAt -c "DROP DATABASE pgsift_scratch_$alive" -c "DROP DATABASE pgsift_scratch_1"
echo "stale copies: dropped only when their pgsift process on this host is gone"

# 3. Cluster-wide statements on the source's cluster are refused, nothing applied.
"$pgsift" check --baseline "$work/base.json" --migrations "$work/role" --create-scratch-from dbname=clinic \
  --no-lint >"$work/out" 2>"$work/err"
rc=$?
[ "$rc" -eq 2 ] || fail "CREATE ROLE (--create-scratch-from): exit $rc"
grep -q "V1__role.sql:2.*refusing to apply CREATE ROLE" "$work/out" "$work/err" ||
  fail "CREATE ROLE refusal without file and line: $(cat "$work/out" "$work/err")"
[ "$(psql -XqAt -c "SELECT count(*) FROM pg_roles WHERE rolname = 'pgsift_evil_role'")" = 0 ] ||
  fail "the role was created on the real cluster"
[ -z "$(scratch_dbs)" ] || fail "refused run left $(scratch_dbs)"
psql -XqAt -c "CREATE DATABASE s_marked TEMPLATE clinic" -c "COMMENT ON DATABASE s_marked IS 'pgsift:scratch'"
"$pgsift" check --baseline "$work/base.json" --migrations "$work/role" --scratch-dsn dbname=s_marked \
  --scratch-is-disposable --no-lint >"$work/out" 2>"$work/err"
rc=$?
[ "$rc" -eq 2 ] || fail "CREATE ROLE (--scratch-dsn, same cluster): exit $rc"
grep -q "V1__role.sql:2.*refusing to apply CREATE ROLE" "$work/out" "$work/err" || fail "same-cluster --scratch-dsn"
[ "$(psql -XqAt -c "SELECT count(*) FROM pg_roles WHERE rolname = 'pgsift_evil_role'")" = 0 ] ||
  fail "the role was created through --scratch-dsn"
[ "$(psql -XqAt -d s_marked -c "SELECT count(*) FROM pg_class WHERE relname = 'visits_note'")" = 0 ] ||
  fail "a statement before the refused one was applied"
# ... and applied on a scratch server that is another cluster (its own
# system_identifier): the role exists there only.
p1=$PGPORT
pg_start "$work/pg2" "lc_messages = 'C'" >/dev/null 2>&1 || fail "cannot start a second server"
p2=$PGPORT
export PGPORT=$p1
psql -XqAt -p "$p2" -c "CREATE DATABASE s_other" -c "COMMENT ON DATABASE s_other IS 'pgsift:scratch'"
psql -XqAt -p "$p2" -d s_other -c "CREATE TABLE patients (id int)"
"$pgsift" check --baseline "$work/base.json" --migrations "$work/role" --fail-on none \
  --scratch-dsn "host=127.0.0.1 port=$p2 dbname=s_other" --scratch-is-disposable --no-lint >"$work/out" 2>"$work/err"
rc=$?
[ "$rc" -eq 0 ] || fail "CREATE ROLE on another cluster: exit $rc: $(cat "$work/out" "$work/err" | head -c 600)"
[ "$(psql -XqAt -p "$p2" -c "SELECT count(*) FROM pg_roles WHERE rolname = 'pgsift_evil_role'")" = 1 ] ||
  fail "the role was not created on the other cluster"
[ "$(psql -XqAt -c "SELECT count(*) FROM pg_roles WHERE rolname = 'pgsift_evil_role'")" = 0 ] ||
  fail "the role reached the source's cluster"
pg_stop "$work/pg2" >/dev/null 2>&1
echo "CREATE ROLE on the source's cluster: refused with file and line, no role; on another cluster: applied there"

# 4. --scratch-is-disposable needs the marker.
psql -XqAt -c "CREATE DATABASE s_unmarked TEMPLATE clinic"
"$pgsift" check --baseline "$work/base.json" --migrations "$work/ok" --scratch-dsn dbname=s_unmarked \
  --scratch-is-disposable --no-lint >"$work/out" 2>"$work/err"
rc=$?
[ "$rc" -eq 2 ] || fail "unmarked database: exit $rc"
[ "$(psql -XqAt -d s_unmarked -c "SELECT count(*) FROM information_schema.columns WHERE column_name = 'note'")" = 0 ] ||
  fail "the migration was applied to an unmarked database"
mark=$(grep -o "COMMENT ON DATABASE .* IS 'pgsift:scratch';" "$work/err")
[ "$mark" = "COMMENT ON DATABASE \"s_unmarked\" IS 'pgsift:scratch';" ] || fail "no command to mark it: $(cat "$work/err")"
psql -XqAt -d postgres -c "$mark"
"$pgsift" check --baseline "$work/base.json" --migrations "$work/ok" --scratch-dsn dbname=s_unmarked \
  --scratch-is-disposable --no-lint >"$work/out" 2>"$work/err" || fail "marked database: $(cat "$work/err")"
[ "$(psql -XqAt -d s_unmarked -c "SELECT count(*) FROM information_schema.columns WHERE column_name = 'note'")" = 1 ] ||
  fail "the marked database was not migrated"
echo "--scratch-is-disposable: unmarked refused with the command that marks it; marked accepted"

# 5. A copy that cannot be dropped (a prepared transaction holds it, even
# against WITH (FORCE)) is an error naming it, never a silent exit 0; so is a
# stale one the next run cannot drop; once free, the next run drops it.
mkdir -p "$work/prepared"
printf 'BEGIN;\nCREATE TABLE held (id int);\nPREPARE TRANSACTION %s;\n' "'pgsift_held'" >"$work/prepared/V1__held.sql"
"$pgsift" check --baseline "$work/base.json" --migrations "$work/prepared" --create-scratch-from dbname=clinic \
  --no-lint >"$work/out" 2>"$work/err"
rc=$?
held=$(scratch_dbs)
[ "$rc" -eq 2 ] || fail "undroppable copy: exit $rc: $(cat "$work/err")"
grep -q "could not drop the scratch database $held .*DROP DATABASE \"$held\"" "$work/err" ||
  fail "undroppable copy: message: $(cat "$work/err")"
"$pgsift" check --baseline "$work/base.json" --migrations "$work/ok" --create-scratch-from dbname=clinic \
  --no-lint >"$work/out" 2>"$work/err"
rc=$?
[ "$rc" -eq 2 ] || fail "undroppable stale copy: exit $rc"
grep -q "the stale scratch database $held (left by pgsift process .*) could not be dropped" "$work/err" ||
  fail "undroppable stale copy: message: $(cat "$work/err")"
psql -XqAt -d "$held" -c "ROLLBACK PREPARED 'pgsift_held'"
"$pgsift" check --baseline "$work/base.json" --migrations "$work/ok" --create-scratch-from dbname=clinic \
  --no-lint >"$work/out" 2>"$work/err" || fail "after ROLLBACK PREPARED: $(cat "$work/err")"
grep -q "dropped the stale scratch database $held" "$work/err" || fail "the freed copy was not dropped: $(cat "$work/err")"
[ -z "$(scratch_dbs)" ] || fail "left: $(scratch_dbs)"
echo "a copy that cannot be dropped: exit 2 naming it (also as a stale copy), dropped once free"

[ "$fails" -eq 0 ] || { echo "scratch_safety_live: $fails failure(s)" >&2; exit 1; }
echo "scratch_safety_live: ok"
