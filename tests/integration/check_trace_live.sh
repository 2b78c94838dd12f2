#!/usr/bin/env bash
# The lock and rewrite trace of `pgsift check` on a throw-away PostgreSQL
# (15 by default; PG_BINDIR selects another major): check_trace_live.py.
# usage: check_trace_live.sh PGSIFT REPO_ROOT [--update]
set -euo pipefail
pgsift=$1
root=$(cd "$2" && pwd -P)
here=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-trace.XXXXXX")
chmod 755 "$work"
trap 'pg_stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
pg_start "$work/pg" "lc_messages = 'C'" "timezone = 'UTC'" >/dev/null 2>&1
python3 "$here/check_trace_live.py" "$pgsift" "$root" "$work" "${@:3}"
