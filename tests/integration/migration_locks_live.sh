#!/usr/bin/env bash
# The lock claims of migration rule fixtures on a live PostgreSQL 15
# (migration_locks.txt): pg_locks is the truth, not our belief. Each line runs
# its fixture in a session that keeps its transaction open, reads the locks
# that session holds on the table from pg_locks, and runs the probe from a
# second session with a short lock_timeout: blocked means it fails with
# SQLSTATE 55P03.
# usage: migration_locks_live.sh REPO_ROOT
set -euo pipefail
root=$(cd "$1" && pwd -P)
here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/../pg/pgctl.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-locks.XXXXXX")
chmod 755 "$work"
holder_pid=""
cleanup() {
  [ -n "$holder_pid" ] && kill "$holder_pid" 2>/dev/null || true
  pg_stop "$work" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
pg_start "$work" >/dev/null 2>&1
bindir=$(_pg_bindir)
q() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
q -c "CREATE DATABASE locks_template" >/dev/null
q -d locks_template -f "$here/migration_locks_setup.sql" >/dev/null

status=0
checked=0
fail() { echo "FAIL: $*"; status=1; }
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; echo "${s%"${s##*[![:space:]]}"}"; }
n=0
while IFS='|' read -r fixture table mode probe expect; do
  fixture=$(trim "$fixture")
  case $fixture in '' | '#'*) continue ;; esac
  table=$(trim "$table") mode=$(trim "$mode") probe=$(trim "$probe") expect=$(trim "$expect")
  n=$((n + 1))
  db=locks_$n
  what="$fixture ($table $mode, '$probe' $expect)"
  q -c "CREATE DATABASE $db TEMPLATE locks_template" >/dev/null
  # Session A: the fixture in a transaction that stays open.
  { echo "SET application_name = 'lock_holder';"; echo "BEGIN;"; cat "$root/$fixture"; echo
    echo "SELECT pg_sleep(120);"; } | q -d "$db" >"$work/holder.out" 2>&1 &
  holder_pid=$!
  holder=""
  for _ in $(seq 1 200); do
    holder=$(q -At -d "$db" -c "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
                                 AND application_name = 'lock_holder' AND wait_event = 'PgSleep'")
    [ -n "$holder" ] && break
    kill -0 "$holder_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$holder" ]; then
    fail "$what: the fixture did not run: $(cat "$work/holder.out")"
  else
    held=$(q -At -d "$db" -c "SELECT coalesce(string_agg(l.mode, ',' ORDER BY l.mode), '-') FROM pg_locks l
                              JOIN pg_class c ON c.oid = l.relation
                              WHERE l.locktype = 'relation' AND l.granted AND l.pid = $holder
                                AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                                AND c.relname = '$table'")
    if [ "$mode" = "-" ]; then
      [ "$held" = "-" ] || fail "$what: holds $held on $table, expected none"
    else
      case ",$held," in *",$mode,"*) ;; *) fail "$what: holds $held on $table, expected $mode" ;; esac
    fi
    rc=0
    out=$(q -d "$db" -v VERBOSITY=sqlstate -c "SET lock_timeout = '300ms'" -c "$probe" 2>&1) || rc=$?
    if [ "$expect" = blocks ]; then
      { [ $rc -ne 0 ] && [[ $out == *55P03* ]]; } || fail "$what: the probe was not blocked (exit $rc: $out)"
    else
      [ $rc -eq 0 ] || fail "$what: the probe failed (exit $rc: $out)"
    fi
    checked=$((checked + 1))
    q -d "$db" -c "SELECT pg_terminate_backend($holder)" >/dev/null
  fi
  kill "$holder_pid" 2>/dev/null || true
  wait "$holder_pid" 2>/dev/null || true
  holder_pid=""
  q -c "DROP DATABASE $db WITH (FORCE)" >/dev/null
done <"$here/migration_locks.txt"

echo "$checked lock claims checked on PostgreSQL $(pg_major)"
[ "$checked" -gt 0 ] || fail "no lock claim checked"
exit $status
