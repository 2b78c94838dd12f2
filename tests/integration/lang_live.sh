#!/usr/bin/env bash
# Starts real PostgreSQL 15 servers with lc_messages = C, ja_JP.UTF-8,
# de_DE.UTF-8, zh_CN.UTF-8 (and fr_FR, ru_RU, es_ES, it_IT, ko_KR, sv_SE,
# uk_UA, ka_GE when those locales exist: every catalog PostgreSQL 15 ships), runs
# the same workload on each (fixtures/lang/make_lang_logs.sh: stderr, csvlog
# and jsonlog at once) and checks that pgsift reads every language as the
# English run (tests/integration/lang_check.py).
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
out=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-lang-live.XXXXXX")
trap 'rm -rf "$out"' EXIT
have() { locale -a 2>/dev/null | tr 'A-Z' 'a-z' | grep -qx "$(echo "${1%.*}.utf8" | tr 'A-Z' 'a-z')"; }
langs=(C)
for l in ja_JP.UTF-8 de_DE.UTF-8 zh_CN.UTF-8; do
    have "$l" || { echo "lang_live: locale $l missing (run ci/setup)" >&2; exit 1; }
    langs+=("$l")
done
for l in fr_FR.UTF-8 ru_RU.UTF-8 es_ES.UTF-8 it_IT.UTF-8 ko_KR.UTF-8 sv_SE.UTF-8 uk_UA.UTF-8 ka_GE.UTF-8; do
    if have "$l"; then langs+=("$l"); fi
done
names=()
for l in "${langs[@]}"; do names+=("${l%%.*}"); done
"$here/../../fixtures/lang/make_lang_logs.sh" "$out" "${langs[@]}" >"$out/make.out" 2>&1 ||
    { cat "$out/make.out"; exit 1; }
python3 "$here/lang_check.py" "$pgsift" "$out" "${names[@]}"
