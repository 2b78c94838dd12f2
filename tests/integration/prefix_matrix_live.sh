#!/usr/bin/env bash
# Prefix inference on real PostgreSQL 15 logs (issue 18, section 1): one
# server restarted with several log_line_prefix settings, log_connections /
# log_disconnections on and off, application_name values with spaces and
# brackets and '@', sessions over TCP and the Unix socket, a log that starts with a long stretch of lines of no session
# (restart banner and checkpoints), and a run of two files where one holds
# only a restart banner. For each, pgsift must detect the server's prefix
# (checked against the setting the test gave the server), say nothing about
# disagreeing lines, and `--application X` must count exactly the
# statements the test ran as X; `report --logs` and `indexes` must take
# --prefix.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
bindir=$(_pg_bindir)
psql_bin=$bindir/psql
[ -x "$psql_bin" ] || psql_bin=psql

work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-prefix.XXXXXX")
chmod 755 "$work"
trap 'pg_stop "$work" || true; rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# run $2 statements "SELECT <n> AS n" in one session as application $1
run_as() {
    local app=$1 n=$2 i
    for ((i = 1; i <= n; i++)); do echo "SELECT $i AS n;"; done |
        PGAPPNAME=$app "$psql_bin" -X -q -v ON_ERROR_STOP=1 -f - >/dev/null
}

# the number of queries pgsift counts in LOG with the extra arguments
queries() {
    local log=$1; shift
    { "$pgsift" analyze "$log" --top 0 "$@" 2>&1 || true; } | sed -n 's/^\([0-9,]*\) queries (.*/\1/p' | tr -d ,
}

# check NAME LOG PREFIX [QUERIES]: detected prefix, the user's QUERIES (22)
# and per-application counts
check() {
    local name=$1 log=$2 prefix=$3 first got
    first=$("$pgsift" analyze "$log" --top 0 2>&1 | head -n 1 || true)
    case $first in
        *"log_line_prefix '$prefix' (detected),"*) ;;
        *) bad "$name: expected log_line_prefix '$prefix' (detected) without disagreement, got: $first" ;;
    esac
    if [[ $prefix == *%u* ]]; then
        got=$(queries "$log" --user postgres)
        [ "$got" = "${4:-22}" ] || bad "$name: --user postgres: expected ${4:-22} queries, got '$got'"
    else
        got=$(queries "$log")
        [ "$got" = "${4:-22}" ] || bad "$name: expected ${4:-22} queries, got '$got'"
    fi
    if [[ $prefix == *%a* ]]; then
        got=$(queries "$log" --application reception)
        [ "$got" = 14 ] || bad "$name: --application reception: expected 14 queries (2 sessions x 7), got '$got'"
        got=$(queries "$log" --application 'front desk [2]')
        [ "$got" = 5 ] || bad "$name: --application 'front desk [2]': expected 5 queries, got '$got'"
        got=$(queries "$log" --application 'sidekiq worker@prod')
        [ "$got" = 3 ] || bad "$name: --application 'sidekiq worker@prod': expected 3 queries, got '$got'"
        if [ -n "${5:-}" ]; then
            got=$(queries "$log" --application "$5")
            [ "$got" = 2 ] || bad "$name: --application '$5': expected 2 queries, got '$got'"
        fi
    fi
    if [[ $prefix == *%e* ]]; then
        # the failing statement run_errors ran: read with its SQLSTATE, not 'unknown'
        "$pgsift" analyze "$log" -q --json "$work/$name.json" 2>/dev/null || true
        got=$(python3 -c 'import json,sys; print(",".join(sorted(json.load(open(sys.argv[1]))["summary"]["errors_by_sqlstate"])))' "$work/$name.json")
        [ "$got" = 42P01 ] || bad "$name: errors by SQLSTATE: expected 42P01 alone, got '$got'"
    fi
    echo "checked $name: $first" | cut -c1-200
}

scenario() {  # scenario NAME PREFIX CONNECTIONS(on|off) [ANOTHER_APPLICATION]
    local name=$1 prefix=$2 conn=$3 other=${4:-}
    pg_stop "$work" >/dev/null 2>&1 || true
    pg_start_logging "$work" "$prefix" "log_filename = '$name.log'" \
        "log_connections = $conn" "log_disconnections = $conn" 2>/dev/null
    run_as reception 7
    run_as 'front desk [2]' 5
    PGHOST=$work run_as reception 7  # over the Unix socket: client [local]
    run_as 'sidekiq worker@prod' 3   # an '@' in application_name is not a second user@db
    [ -z "$other" ] || run_as "$other" 2
    PGAPPNAME=errors "$psql_bin" -X -q -c 'SELECT * FROM no_such_table' >/dev/null 2>&1 || true
    pg_quiesce "$work"
    pg_stop "$work" 2>/dev/null
    local want=22
    [ -z "$other" ] || want=24
    check "$name" "$work/data/log/$name.log" "$prefix" "$want" "$other"
}

readme='%m [%p] %q%u@%d app=%a session=%c '
scenario readme_conn "$readme" on
scenario readme_noconn "$readme" off
scenario key_value_no_q '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ' on
scenario state_client '%m [%p] %q%u@%d app=%a client=%h session=%c state=%e ' on
scenario bracket_session '%m [%p] %q[%c] %u@%d app=%a ' off
# Amazon RDS's fixed prefix: %r is '[local]' for socket sessions, 'host(port)' for TCP.
scenario rds '%t:%r:%u@%d:[%p]:' on
# application_name bare at the end of the prefix (no app=), as in the
# version matrix: the words there are %a, not literal text of the prefix.
scenario bare_app '%m [%p] %q%u@%d %a ' on
scenario bare_app_noconn '%m [%p] %q%u@%d %a ' off
# %e right after the free-form application_name: 'app=psql 00000 ' is
# '%a %e', not an application called "psql 00000".
scenario app_then_state '%m [%p] %q%u@%d app=%a %e ' on
scenario bare_app_then_state '%m [%p] %q%u@%d %a %e ' off
scenario state_first '%m [%p] %e %q%u@%d app=%a ' on
# application_name alone before ': ', with ': ' and brackets in one of the
# names: the names vary, so they are %a, not the prefix's literal text.
scenario app_colon '%e %m [%p] %a: ' on 'My App: v2 [beta] x'

# Fields after a bare %a: pgsift may ask for --prefix, but must never take
# '%a %u' for one application name ('web postgres') or swallow the pid.
no_wrong_guess() {  # no_wrong_guess NAME PREFIX
    local name=$1 prefix=$2 first
    pg_stop "$work" >/dev/null 2>&1 || true
    pg_start_logging "$work" "$prefix" "log_filename = '$name.log'" "log_connections = on" 2>/dev/null
    run_as reception 7
    run_as 'front desk [2]' 5
    run_as web 3
    pg_quiesce "$work"
    pg_stop "$work" 2>/dev/null
    first=$("$pgsift" analyze "$work/data/log/$name.log" --top 0 2>&1 | head -n 1 || true)
    case $first in
        *"log_line_prefix '$prefix' (detected"* | *"could not infer log_line_prefix"*) ;;
        *) bad "$name: a wrong prefix taken for '$prefix': $first" ;;
    esac
    echo "checked $name: $first" | cut -c1-200
}
no_wrong_guess app_user '%t %a %u '
no_wrong_guess app_pid '%m %a %p '
no_wrong_guess colons '%m:%a:%u:%d:[%p]: '

# A log whose first 300+ lines belong to no session (restart banner, then
# checkpoints of a session that logs none of its own statements), then the
# sessions: the head alone says '%m [%p] '.
pg_stop "$work" >/dev/null 2>&1 || true
pg_start_logging "$work" "$readme" "log_filename = 'banner.log'" "log_checkpoints = on" \
    "log_connections = off" "log_disconnections = off" 2>/dev/null
for ((i = 0; i < 200; i++)); do echo "CHECKPOINT;"; done |
    (echo "SET log_min_duration_statement = -1;"; cat) | "$psql_bin" -X -q -v ON_ERROR_STOP=1 -f - >/dev/null
run_as reception 7
run_as 'front desk [2]' 5
PGHOST=$work run_as reception 7
run_as 'sidekiq worker@prod' 3
for ((i = 0; i < 400; i++)); do echo "SELECT $i AS n;"; done |
    PGAPPNAME=filler "$psql_bin" -X -q -v ON_ERROR_STOP=1 -f - >/dev/null
pg_quiesce "$work"
pg_stop "$work" 2>/dev/null
banner_lines=$(grep -c -m 400 'checkpoint' "$work/data/log/banner.log" || true)
[ "$banner_lines" -ge 300 ] || bad "banner: the log should start with 300+ lines of no session, has $banner_lines"
check banner "$work/data/log/banner.log" "$readme" 422  # 22 and the filler's 400

# A reload changes the prefix early in a log: the first line says that
# sampled lines (the banner's, the reloading session's) do not fit the
# detected prefix.
pg_start_logging "$work" '%t [%p]: user=%u ' "log_filename = 'reload.log'" 2>/dev/null
"$psql_bin" -X -q -c "ALTER SYSTEM SET log_line_prefix = '$readme'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
run_as reception 200
"$psql_bin" -X -q -c "ALTER SYSTEM RESET log_line_prefix" >/dev/null
pg_quiesce "$work"
pg_stop "$work" 2>/dev/null
first=$({ "$pgsift" analyze "$work/data/log/reload.log" --top 0 2>&1 || true; } | head -n 1)
grep -q "sampled lines do not fit it" <<<"$first" || bad "reload: the first line should say lines disagree: $first"
echo "checked reload: $first" | cut -c1-300

# Two files, the first only a restart banner: the run's prefix is the same
# for both.
pg_start_logging "$work" "$readme" "log_filename = 'only_banner.log'" 2>/dev/null
pg_stop "$work" 2>/dev/null
out=$({ "$pgsift" analyze "$work/data/log/only_banner.log" "$work/data/log/readme_conn.log" --top 0 2>&1 || true; } | head -n 2)
for f in only_banner readme_conn; do
    grep -qF "$f.log: stderr, log_line_prefix '$readme' (detected)" <<<"$out" ||
        bad "two files: $f.log should read with the run's prefix: $out"
done

# Every command that reads logs takes --prefix.
pg_start "$work" "shared_preload_libraries = 'pg_stat_statements'" 2>/dev/null
"$psql_bin" -X -q -c "CREATE EXTENSION pg_stat_statements" >/dev/null
"$pgsift" snapshot -o "$work/a.json.gz" >/dev/null
pg_stop "$work" 2>/dev/null
"$pgsift" report --from "$work/a.json.gz" --to "$work/a.json.gz" --logs "$work/data/log/readme_conn.log" \
    --prefix "$readme" --format json -o "$work/r.json" 2>"$work/r.err" ||
    bad "report --logs --prefix: $(cat "$work/r.err")"
echo 'CREATE TABLE t (id int);' >"$work/schema.sql"
"$pgsift" indexes "$work/data/log/readme_conn.log" --prefix "$readme" --schema "$work/schema.sql" \
    >/dev/null 2>"$work/i.err" || [ "$?" = 1 ] || bad "indexes --prefix: $(cat "$work/i.err")"
grep -q "prefix" "$work/i.err" && bad "indexes --prefix: $(cat "$work/i.err")"

exit $fail
