#!/usr/bin/env bash
# `pgsift check --workload` and the index trace on a throw-away PostgreSQL 15
# with pg_stat_statements: check_trace_workload_live.py.
# usage: check_trace_workload_live.sh PGSIFT REPO_ROOT
set -euo pipefail
pgsift=$1
root=$(cd "$2" && pwd -P)
here=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-tracewl.XXXXXX")
chmod 755 "$work"
trap 'pg_stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
pg_start "$work/pg" "lc_messages = 'C'" "timezone = 'UTC'" "shared_preload_libraries = 'pg_stat_statements'" >/dev/null 2>&1
python3 "$here/check_trace_workload_live.py" "$pgsift" "$root" "$work" "$(_pg_bindir)"
