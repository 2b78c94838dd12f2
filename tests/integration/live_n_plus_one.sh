#!/usr/bin/env bash
# Starts a real PostgreSQL 15 (tests/pg/pgctl.sh), runs the N+1 fixture
# workload (fixtures/rules/make_n_plus_one.sh) with stderr, csvlog and jsonlog
# on at once, and checks the fresh capture like the committed one.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
out=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-live-nplus1.XXXXXX")
trap 'rm -rf "$out"' EXIT
"$here/../../fixtures/rules/make_n_plus_one.sh" "$out" >"$out/make.out" 2>&1 || { cat "$out/make.out"; exit 1; }
python3 "$here/n_plus_one_check.py" "$pgsift" "$out"
