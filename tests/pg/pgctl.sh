# shellcheck shell=bash
# pgctl.sh - helper library to run a throw-away PostgreSQL server (Debian's
# 15 by default; any major from 10 with PG_BINDIR).
#
# Source it from another bash script:
#
#   . tests/pg/pgctl.sh
#   dir=$(mktemp -d)
#   trap 'pg_stop "$dir"; rm -rf "$dir"' EXIT
#   pg_start "$dir" "log_min_duration_statement = 0" "work_mem = '64kB'"
#   psql -c 'select 1'          # PGHOST/PGPORT/PGUSER/PGDATABASE are exported
#
# pg_start DIR [extra postgresql.conf lines...]
#   initdb into DIR/data (once), pick a free TCP port on 127.0.0.1, write the
#   settings, start the server with pg_ctl -w and export PGHOST, PGPORT,
#   PGUSER=postgres, PGDATABASE=postgres. When the caller is root the server
#   runs as the OS user "postgres" (created if missing). Calling it again on a
#   running DIR only re-exports the environment.
# pg_start_logging DIR PREFIX [extra postgresql.conf lines...]
#   pg_start for a server whose logs are fixtures: every statement timed, in
#   stderr, csvlog and, from PostgreSQL 15, jsonlog (DIR/data/log/pg.log,
#   .csv, .json) with
#   log_line_prefix PREFIX, connections and disconnections, English messages,
#   UTC times. The extra lines come after these, and a later line wins
#   (e.g. "lc_messages = 'ja_JP.UTF-8'", "log_filename = 'setup.log'").
# pg_stop DIR
#   pg_ctl stop -m fast; does nothing if the server is not running.
# pg_major
#   print the major version of the server binaries (10, 11, ... 18).
#
# Environment: PG_BINDIR overrides the server binary directory, e.g. the
# npm builds of every major in .tools/node_modules/pg<major>/native/bin
# (ci/setup); clients (psql) stay Debian's 15.

_pg_err() { echo "pgctl: error: $*" >&2; }
_pg_log() { echo "pgctl: $*" >&2; }

# Print the PostgreSQL 15 binary directory.
_pg_bindir() {
    local d
    for d in "${PG_BINDIR:-}" /usr/lib/postgresql/15/bin /usr/pgsql-15/bin \
             /usr/local/pgsql/bin; do
        if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"; return 0
        fi
    done
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null)
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
    fi
    _pg_err "cannot find PostgreSQL 15 binaries (initdb, pg_ctl); set PG_BINDIR"
    return 1
}

pg_major() {
    local bindir v
    bindir=$(_pg_bindir) || return 1
    v=$("$bindir/postgres" --version) || return 1
    v=${v##* }
    echo "${v%%.*}"
}

# Run a command as the server's OS user (postgres when we are root).
_pg_as() {
    if [ "$(id -u)" -eq 0 ]; then
        if command -v runuser >/dev/null 2>&1; then
            runuser -u postgres -- "$@"
        else
            local q; q=$(printf '%q ' "$@")
            su postgres -s /bin/bash -c "$q"
        fi
    else
        "$@"
    fi
}

# Make sure the OS user "postgres" exists (only needed when running as root).
_pg_ensure_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    id -u postgres >/dev/null 2>&1 && return 0
    _pg_log "creating OS user postgres"
    useradd --system --user-group --home-dir /var/lib/postgresql \
            --shell /bin/bash postgres 2>/dev/null ||
        useradd -r -U -s /bin/bash postgres || {
            _pg_err "could not create OS user postgres"; return 1; }
}

# Print a free TCP port on 127.0.0.1.
_pg_free_port() {
    local py p
    for py in /usr/bin/python3 python3; do
        if command -v "$py" >/dev/null 2>&1; then
            p=$("$py" - <<'EOF' 2>/dev/null
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
            ) && [ -n "$p" ] && { echo "$p"; return 0; }
        fi
    done
    local start=$(( 20000 + RANDOM % 20000 ))
    for ((p = start; p < start + 2000; p++)); do
        if command -v ss >/dev/null 2>&1; then
            ss -Htan "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
        elif ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"; return 0
        fi
    done
    _pg_err "no free TCP port found"
    return 1
}

# Export the client environment for DIR (reads DIR/port).
_pg_export_env() {
    local dir=$1
    export PGHOST=127.0.0.1
    PGPORT=$(cat "$dir/port") || return 1
    export PGPORT
    export PGUSER=postgres
    export PGDATABASE=postgres
}

pg_start() {
    if [ $# -lt 1 ] || [ -z "$1" ]; then
        _pg_err "usage: pg_start DIR [extra postgresql.conf lines...]"; return 1
    fi
    local dir=$1; shift
    local bindir data port line locale_opt
    bindir=$(_pg_bindir) || return 1
    _pg_ensure_user || return 1
    mkdir -p "$dir" || { _pg_err "cannot create $dir"; return 1; }
    dir=$(cd "$dir" && pwd -P) || return 1
    data=$dir/data

    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir" || { _pg_err "cannot chown $dir to postgres"; return 1; }
        if ! runuser -u postgres -- test -w "$dir" 2>/dev/null; then
            _pg_err "OS user postgres cannot write to $dir (check permissions of its parent directories)"
            return 1
        fi
    fi

    # Already running? Just re-export the environment.
    if [ -f "$data/postmaster.pid" ] && [ -f "$dir/port" ] &&
       _pg_as "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        _pg_log "server in $data already running on port $(cat "$dir/port")"
        _pg_export_env "$dir"
        return 0
    fi

    if [ ! -f "$data/PG_VERSION" ]; then
        if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
            locale_opt=--locale=C.UTF-8
        else
            locale_opt=--locale=C
        fi
        if ! _pg_as "$bindir/initdb" -D "$data" -A trust -U postgres --no-sync \
                -E UTF8 "$locale_opt" >"$dir/initdb.log" 2>&1; then
            _pg_err "initdb failed, see $dir/initdb.log:"
            tail -n 20 "$dir/initdb.log" >&2
            return 1
        fi
    fi

    port=$(_pg_free_port) || return 1

    # Our settings live in an included file, rewritten on every start.
    if ! grep -q "^include_if_exists = 'pgctl.conf'" "$data/postgresql.conf"; then
        echo "include_if_exists = 'pgctl.conf'" >>"$data/postgresql.conf" || return 1
    fi
    {
        echo "# written by tests/pg/pgctl.sh"
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$dir'"
        echo "fsync = off"
        for line in "$@"; do echo "$line"; done
    } >"$data/pgctl.conf" || return 1
    [ "$(id -u)" -eq 0 ] && chown postgres: "$data/pgctl.conf"
    echo "$port" >"$dir/port"

    if ! _pg_as "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
            start >"$dir/pg_ctl.log" 2>&1; then
        _pg_err "pg_ctl start failed (port $port):"
        cat "$dir/pg_ctl.log" >&2
        tail -n 20 "$dir/server.log" >&2 2>/dev/null
        [ -d "$data/log" ] && tail -n 20 "$data"/log/* >&2 2>/dev/null
        return 1
    fi
    _pg_export_env "$dir"
    _pg_log "server started: $data, 127.0.0.1:$port"
}

# pg_quiesce DIR: waits (up to 60 s) until the server in DIR has no client
# backend left (so every session's last lines, disconnection included, have
# been sent to the logger) and the files in its log directory have stopped
# growing (the logger has written them). Scripts that switch log files
# between scenarios call it instead of sleeping a fixed time, which a loaded
# machine outruns.
pg_quiesce() {
    local dir=$1 data pid i stable=0 sizes prev=""
    data=$dir/data
    pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null) || { _pg_err "pg_quiesce: no server in $dir"; return 1; }
    for ((i = 0; i < 600; i++)); do
        # Client backends carry the client's address in their process title.
        if ! ps --ppid "$pid" -o args= 2>/dev/null | grep -qE '\[local\]|[0-9]\(([0-9]+)\)|127\.0\.0\.1'; then
            sizes=$(stat -c '%n %s' "$data"/log/* 2>/dev/null | sort)
            if [ "$sizes" = "$prev" ]; then
                stable=$((stable + 1))
                [ "$stable" -ge 3 ] && return 0
            else
                stable=0
            fi
            prev=$sizes
        fi
        sleep 0.1
    done
    _pg_err "pg_quiesce: server in $dir still busy after 60 s"
    return 1
}

pg_start_logging() {
    if [ $# -lt 2 ]; then
        _pg_err "usage: pg_start_logging DIR PREFIX [extra postgresql.conf lines...]"; return 1
    fi
    local dir=$1 prefix=$2 destinations=stderr,csvlog major; shift 2
    major=$(pg_major) || return 1
    [ "$major" -ge 15 ] && destinations=$destinations,jsonlog
    pg_start "$dir" \
        "logging_collector = on" \
        "log_destination = '$destinations'" \
        "log_directory = 'log'" \
        "log_filename = 'pg.log'" \
        "log_rotation_size = 0" \
        "log_rotation_age = 0" \
        "log_min_duration_statement = 0" \
        "log_line_prefix = '$prefix'" \
        "log_connections = on" \
        "log_disconnections = on" \
        "lc_messages = 'C'" \
        "log_timezone = 'UTC'" \
        "timezone = 'UTC'" \
        "$@"
}

pg_stop() {
    if [ $# -lt 1 ] || [ -z "$1" ]; then
        _pg_err "usage: pg_stop DIR"; return 1
    fi
    local dir=$1 bindir data
    data=$dir/data
    [ -f "$data/postmaster.pid" ] || return 0
    bindir=$(_pg_bindir) || return 1
    if _pg_as "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        # The logging collector outlives the postmaster: pg_ctl returns when
        # the postmaster is gone, while the collector may still be writing the
        # last messages ("database system is shut down") to some of its
        # files. Wait for it, so that the files read next are complete.
        local postmaster logger
        postmaster=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
        logger=""
        if [ -n "$postmaster" ] && command -v pgrep >/dev/null 2>&1; then
            logger=$(pgrep -P "$postmaster" -f 'postgres: logger' 2>/dev/null | head -n 1 || true)
        fi
        _pg_as "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || {
            _pg_err "pg_ctl stop failed for $data"; return 1; }
        if [ -n "$logger" ]; then
            local i
            for i in $(seq 1 200); do
                kill -0 "$logger" 2>/dev/null || break
                sleep 0.05
            done
            kill -0 "$logger" 2>/dev/null && _pg_log "logging collector $logger still running after 10 s: $data"
        fi
        _pg_log "server stopped: $data"
    fi
    return 0
}
