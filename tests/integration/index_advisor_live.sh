#!/usr/bin/env bash
# pgsift indexes against a real PostgreSQL 15 with hypopg: the fixture
# script's schema and workload, fresh; the advisor must find exactly the
# missing indexes (and not one that exists or the planner would not use),
# offline from the pg_dump must give the same candidates, and no planted
# literal may appear in any output.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
out=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-index-live.XXXXXX")
chmod 755 "$out"
trap 'rm -rf "$out"' EXIT
PGSIFT_BIN=$pgsift bash "$here/../../fixtures/rules/make_index_workload.sh" "$out" 2>"$out/make.err" || {
    cat "$out/make.err" >&2; exit 1; }
python3 "$here/index_advisor_check.py" "$out/index-run"
