#!/usr/bin/env bash
# Starts a real PostgreSQL 15 (tests/pg/pgctl.sh, as a non-root user, temp dir,
# free port), runs the fixture workload with stderr, csvlog and jsonlog on at
# once, stops it, and checks that pgsift reads the same aggregates from all
# three logs of that fresh run.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
out=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-live.XXXXXX")
trap 'rm -rf "$out"' EXIT
"$here/../../fixtures/make_logs.sh" "$out" >"$out/make_logs.out" 2>&1 || { cat "$out/make_logs.out"; exit 1; }
python3 "$here/compare_formats.py" "$pgsift" "$out"
