#!/usr/bin/env bash
# Server messages in the server's language never show a value. A real
# PostgreSQL 15 answers pgsift in each language ci/setup generates a locale
# for (lc_messages per database, set by the superuser): German quotes values
# »…«, Spanish «…», French « … », the others "…". `baseline capture` plans
# queries whose literals the server rejects (and quotes in its message), and
# `check` replays a guarded query that a migration breaks and applies a
# migration the server rejects: no planted value may appear in any output,
# the error itself must be shown (redacted), and the severity word is never
# shown (English or translated). With --show-values the value is shown: the
# grep below can see it.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-msglang.XXXXXX")
chmod 755 "$work"
trap 'pg_stop "$work/pg" || true; rm -rf "$work"' EXIT
pg_start "$work/pg" "lc_messages = 'C'"
export PGCLIENTENCODING=UTF8

fail() { echo "FAIL: $*" >&2; exit 1; }

psql -XqAt -c "CREATE DATABASE clinic"
psql -XqAt -d clinic -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TYPE visit_kind AS ENUM ('checkup', 'surgery');
CREATE TABLE patients (id bigint PRIMARY KEY, name text NOT NULL, clinic_id integer NOT NULL,
                       born date, kind visit_kind, notes jsonb);
INSERT INTO patients SELECT g, 'patient ' || g, g % 40, date '1950-01-01' + g, 'checkup', '{}' FROM generate_series(1, 2000) g;
ANALYZE patients;
SQL

# Each query makes the server quote one planted value (every marker ends in
# X, or is the long number).
queries=(
  "SELECT id FROM patients WHERE clinic_id = 'PATIENTSMITHX'"
  "SELECT id FROM patients WHERE born = 'PATIENTDOEX'::date"
  "SELECT id FROM patients WHERE kind = 'PATIENTENUMX'"
  "SELECT id FROM patients WHERE notes @> jsonb_build_object('ref', 'PATIENTUUIDX'::uuid)"
  "SELECT id FROM patients WHERE id = '987654321987654321987654'::bigint"
)
markers='PATIENT[A-Z]*X|987654321987654321987654'

mkdir -p "$work/mig_break" "$work/mig_reject"
# Breaks the guarded query: its literal no longer fits the column's type.
echo "ALTER TABLE patients ALTER COLUMN name TYPE integer USING 0;" >"$work/mig_break/V2__name_int.sql"
# The server rejects the migration itself, quoting its value.
echo "INSERT INTO patients (id, name, clinic_id) VALUES (900001, 'x', 'PATIENTMIGX');" \
  >"$work/mig_reject/V2__insert.sql"
cat >"$work/guard.sql" <<'Q'
-- name: by_name
SELECT id FROM patients WHERE name = 'PATIENTCHECKX';
Q

checked=0
languages=(C ja_JP.UTF-8 de_DE.UTF-8 zh_CN.UTF-8 fr_FR.UTF-8 ru_RU.UTF-8 es_ES.UTF-8 it_IT.UTF-8
           ko_KR.UTF-8 sv_SE.UTF-8 uk_UA.UTF-8 ka_GE.UTF-8)
for lang in "${languages[@]}"; do
  if [ "$lang" != C ] && ! locale -a 2>/dev/null | tr 'A-Z' 'a-z' | grep -qx "$(echo "$lang" | tr 'A-Z' 'a-z' | sed 's/utf-8/utf8/')"; then
    fail "locale $lang missing (ci/setup generates it)"
  fi
  psql -XqAt -c "ALTER DATABASE clinic SET lc_messages = '$lang'" >/dev/null
  # The language really switched: the server's own message in it.
  psql -XqAt -d clinic -c "SELECT 1/0" 2>"$work/probe" || true
  [ "$lang" = C ] || ! grep -q "division by zero" "$work/probe" || fail "$lang: server still answers in English"

  i=0
  for q in "${queries[@]}"; do
    i=$((i + 1))
    printf -- '-- name: q%s\n%s;\n' "$i" "$q" >"$work/q.sql"
    rm -f "$work/b.json"
    set +e
    "$pgsift" baseline capture --dsn "dbname=clinic" --queries "$work/q.sql" -o "$work/b.json" >"$work/out" 2>&1
    code=$?
    "$pgsift" baseline capture --dsn "dbname=clinic" --queries "$work/q.sql" -o "$work/b.json" --show-values \
      >"$work/out.shown" 2>&1
    set -e
    [ "$code" -ne 0 ] || fail "$lang q$i: the server accepted the query: $(cat "$work/out")"
    if { cat "$work/out"; [ ! -e "$work/b.json" ] || cat "$work/b.json"; } | grep -aE "$markers"; then fail "$lang q$i: a value is shown"; fi
    grep -q '<redacted>' "$work/out" || fail "$lang q$i: the error is not shown: $(cat "$work/out")"
    if grep -a 'does not plan: [^ ]*:  ' "$work/out"; then fail "$lang q$i: the severity word is shown"; fi
    grep -qE "$markers" "$work/out.shown" || fail "$lang q$i: --show-values does not show the value"
    checked=$((checked + 1))
  done

  # check: a guarded query broken by the migration, and a rejected migration.
  psql -XqAt -c "ALTER DATABASE clinic SET lc_messages = 'C'" >/dev/null
  "$pgsift" baseline capture --dsn "dbname=clinic" --queries "$work/guard.sql" -o "$work/guard.json" 2>"$work/err" ||
    fail "capture of the guarded query: $(cat "$work/err")"
  psql -XqAt -c "ALTER DATABASE clinic SET lc_messages = '$lang'" >/dev/null
  for mig in mig_break mig_reject; do
    psql -XqAt -c "CREATE DATABASE scratch TEMPLATE clinic" >/dev/null
    psql -XqAt -c "COMMENT ON DATABASE scratch IS 'pgsift:scratch'" >/dev/null
    psql -XqAt -c "ALTER DATABASE scratch SET lc_messages = '$lang'" >/dev/null
    for fmt in text json markdown; do
      set +e
      "$pgsift" check --baseline "$work/guard.json" --migrations "$work/$mig" --scratch-dsn "dbname=scratch" \
        --scratch-is-disposable --no-lint --format "$fmt" >"$work/out" 2>&1
      code=$?
      set -e
      [ "$code" -ne 0 ] || fail "$lang $mig $fmt: check passed: $(cat "$work/out")"
      if grep -aE "$markers" "$work/out"; then fail "$lang $mig $fmt: a value is shown"; fi
      grep -q 'redacted' "$work/out" || fail "$lang $mig $fmt: the server's error is not shown: $(cat "$work/out")"
      checked=$((checked + 1))
    done
    psql -XqAt -c "DROP DATABASE scratch" >/dev/null
  done
done
echo "server messages in ${#languages[@]} languages: $checked outputs, no value shown, every error shown redacted"
