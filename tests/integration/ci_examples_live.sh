#!/usr/bin/env bash
# The example pipelines in ci/examples/ run for real: every pgsift command
# line is taken from the YAML files as written (continuations joined, $VARS
# expanded) and run, in order, against a PostgreSQL 15 holding a small
# project laid out as the examples expect (db/schema.sql, db/sample_data.sql,
# db/guarded.sql, db/migrations/). A renamed flag or subcommand fails here.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
root=$here/../..
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-ci-examples.XXXXXX")
chmod 755 "$work"
trap 'pg_stop "$work/pg" || true; rm -rf "$work"' EXIT
pg_start "$work/pg" "lc_messages = 'C'" "timezone = 'UTC'"
export PGCLIENTENCODING=UTF8

mkdir -p "$work/project/db/migrations" "$work/bin"
cp "$root/fixtures/baseline/schema.sql" "$work/project/db/schema.sql"
cp "$root/fixtures/baseline/queries.sql" "$work/project/db/guarded.sql"
cp "$root/fixtures/baseline/migrations/harmless/"*.sql "$work/project/db/migrations/"
printf -- '-- representative data is in schema.sql for this test\nSELECT 1;\n' >"$work/project/db/sample_data.sql"
ln -s "$(cd "$(dirname "$pgsift")" && pwd -P)/$(basename "$pgsift")" "$work/bin/pgsift"

python3 - "$root/ci/examples" "$work" <<'EOF2'
import glob, os, re, shlex, subprocess, sys
examples, work = sys.argv[1], sys.argv[2]
project = os.path.join(work, "project")
env = dict(os.environ)
env["PATH"] = os.path.join(work, "bin") + os.pathsep + env["PATH"]

def commands(path):
    text = open(path).read()
    text = re.sub(r"\\\n\s*", " ", text)  # shell line continuations
    out = []
    for line in text.splitlines():
        if line.lstrip().startswith("#") or re.match(r"\s*-?\s*(name|description):", line):
            continue  # comments and step names are prose
        for m in re.finditer(r"(?:^|[\s;&|])(pgsift(?=\s|$)[^;&|\n]*)", line):
            out.append(m.group(1).strip())
    return out

total = 0
for path in sorted(glob.glob(os.path.join(examples, "*.yml"))):
    name = os.path.basename(path)
    cmds = commands(path)
    kinds = {c.split()[1] if len(c.split()) > 1 else "" for c in cmds}
    assert {"--version", "baseline", "check"} <= kinds, (name, cmds)
    db = "app_" + re.sub(r"\W", "_", name)
    subprocess.run(["psql", "-XqAt", "-c", f"DROP DATABASE IF EXISTS {db}", "-c", f"CREATE DATABASE {db}"], check=True)
    subprocess.run(["psql", "-XqAt", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", "db/schema.sql"], cwd=project,
                   check=True, stdout=subprocess.DEVNULL)
    env["SOURCE_URL"] = f"postgresql://{env.get('PGUSER', 'postgres')}@{env['PGHOST']}:{env['PGPORT']}/{db}"
    for cmd in cmds:
        os.environ["SOURCE_URL"] = env["SOURCE_URL"]
        argv = [os.path.expandvars(a) for a in shlex.split(cmd)]
        r = subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True)
        print(f"{name}: {cmd}\n  -> exit {r.returncode}")
        if r.returncode != 0:
            print(r.stdout, r.stderr)
            sys.exit(f"FAIL: {name}: '{cmd}' exited {r.returncode} (a flag the example uses is gone or wrong?)")
        if "-o" in argv:
            out = os.path.join(project, argv[argv.index("-o") + 1])
            assert os.path.getsize(out) > 0, (name, cmd)
        total += 1
assert total >= 8, total
print("ci_examples_live: ok,", total, "pgsift commands run")
EOF2
