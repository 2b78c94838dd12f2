#!/usr/bin/env python3
"""`pgsift lint` as users run it: exit codes, every output format (SARIF
validated against the 2.1.0 schema with tools/validate_sarif.js), syntax
errors, .pgsift.toml, determinism.

usage: lint_cli.py PGSIFT FIXTURES [sarif NODE_MODULES VALIDATOR]
With `sarif`, only the SARIF schema check runs (exit 77 = skipped when the
npm tools are not installed and CI is not set).
"""
import glob
import json
import os
import re
import subprocess
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what)


def run(pgsift, *args, cwd=None):
    p = subprocess.run([pgsift, "lint", *args], capture_output=True, text=True, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def sarif_mode(pgsift, fixtures, modules, validator):
    if not os.path.isdir(os.path.join(modules, "@microsoft", "jest-sarif")):
        if os.environ.get("CI"):
            print("npm tools missing under CI: ci/setup did not install them")
            return 1
        print("skipped: run ci/setup to install the SARIF schema")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        # A real migration (fixtures/corpus) whose BEGIN ... COMMIT holds
        # ACCESS EXCLUSIVE on "WorkflowRun" for six statements: its lock
        # timeline is in the SARIF of the statement that takes the lock.
        timeline = os.path.join(fixtures, "corpus", "trigger.dev", "internal-packages", "database", "prisma",
                                "migrations", "20230105115719_remove_interrupted_state_from_runs", "migration.sql")
        for name, paths in [("corpus", [os.path.join(fixtures, "migrations")]),
                            ("rules", sorted(glob.glob(os.path.join(fixtures, "rules", "migration-*")))),
                            ("timeline", [timeline])]:
            out = os.path.join(tmp, name + ".sarif")
            # PostgreSQL 18: the migration-statement-not-parsed fixtures are
            # findings there (with 15 they are syntax errors, exit 2).
            newest = ["--pg-version", "18"] if name == "rules" else []
            code, _, err = run(pgsift, "--format", "sarif", "-o", out, *newest, *paths)
            check(code == 1, f"sarif {name}: exit {code} {err}")
            files.append(out)
        p = subprocess.run(["node", validator, modules, *files], capture_output=True, text=True)
        print(p.stdout, p.stderr)
        check(p.returncode == 0, "SARIF schema validation")
        doc = json.load(open(files[0]))
        run0 = doc["runs"][0]
        rule_ids = [r["id"] for r in run0["tool"]["driver"]["rules"]]
        for res in run0["results"]:
            check(rule_ids[res["ruleIndex"]] == res["ruleId"], "ruleIndex points at the rule")
            check(res["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1, "result has a line")
            check(len(res["partialFingerprints"]["pgsiftKey/v1"]) == 16, "partial fingerprint")
        check(all(r["help"]["text"] for r in run0["tool"]["driver"]["rules"]), "every rule has help text")
        results = json.load(open(files[2]))["runs"][0]["results"]
        with_timeline = [r for r in results if "lockTimeline" in r.get("properties", {})]
        want = ("held to the end of its transaction: WorkflowRun ACCESS EXCLUSIVE (blocks reads and writes) "
                "from line 13 to line 19, 6 statements")
        check(len(with_timeline) >= 1, "a SARIF result carries the lock timeline")
        for r in with_timeline:
            check(r["locations"][0]["physicalLocation"]["region"]["startLine"] == 13, "timeline at line 13")
            check(r["properties"]["lockTimeline"] == want, f"timeline text: {r['properties']['lockTimeline']}")
            check("lock timeline: " + want in r["message"]["text"], "timeline in the message")
    return 1 if FAILURES else 0


def main():
    pgsift, fixtures = os.path.abspath(sys.argv[1]), sys.argv[2]
    if len(sys.argv) > 3 and sys.argv[3] == "sarif":
        return sarif_mode(pgsift, fixtures, os.path.abspath(sys.argv[4]), sys.argv[5])
    corpus = os.path.join(fixtures, "migrations")

    code, out, err = run(pgsift, corpus)
    check(code == 1, f"errors found -> exit 1 (got {code}, {err})")
    check(re.search(r"flyway/V2__add_status\.sql:3:1: error\[migration-ban-concurrent-index-creation-in-transaction\]"
                    r" CREATE INDEX CONCURRENTLY in a file the migration tool runs in a transaction", out),
          "Flyway file is assumed transactional; line:column shown")
    check("  | CREATE INDEX CONCURRENTLY prescriptions_status_idx ON prescriptions (status)" in out,
          "offending SQL shown")
    check("down.sql" not in out and "/revert/" not in out and "U2__" not in out, "down/undo/revert not linted")
    check(re.search(r"sqitch/deploy/lab_results\.sql:15:5: error\[migration-require-concurrent-index-creation\]", out),
          "DO body statement at its own line")
    check(re.search(r"\d+ findings \(\d+ errors, \d+ warnings, 0 info\) in 9 files\n$", out), "summary line")

    code, _, _ = run(pgsift, "--fail-on", "none", corpus)
    check(code == 0, "--fail-on none -> 0")
    warn_only = os.path.join(fixtures, "rules", "migration-prefer-timestamptz", "err_timestamp.sql")
    code, _, _ = run(pgsift, "--disable", "prefer-robust-stmts", "--disable", "require-lock-timeout",
                     "--disable", "require-statement-timeout", warn_only)
    check(code == 0, "warnings only, default --fail-on error -> 0")
    code, _, _ = run(pgsift, "--fail-on", "warning", warn_only)
    check(code == 1, "--fail-on warning -> 1")
    clean = os.path.join(fixtures, "rules", "migration-prefer-robust-stmts", "ok_if_not_exists.sql")
    code, out, _ = run(pgsift, "--disable", "require-lock-timeout", "--disable", "require-statement-timeout", clean)
    check(code == 0 and out.startswith("0 findings"), f"clean file -> 0 ({out})")
    code, _, err = run(pgsift, "--fail-on", "fatal", clean)
    check(code == 2 and "--fail-on fatal" in err, "bad --fail-on -> 2")
    code, _, err = run(pgsift, "/nonexistent/dir")
    check(code == 2 and "/nonexistent/dir" in err, "missing path -> 2 with the path")
    code, _, err = run(pgsift, "--disable", "no-such-rule", clean)
    check(code == 2 and "unknown rule no-such-rule" in err, "unknown rule -> 2")

    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "bad.sql")
        open(bad, "w").write("DROP TABLE patients;\nALTER TABLE visits ADD COLUMN;\nALTER TABLE visits DROP COLUMN x;\n")
        code, out, err = run(pgsift, bad)
        check(code == 2, f"syntax error -> 2 (got {code})")
        check(re.search(r"bad\.sql:2:\d+: syntax error: syntax error at ", out), f"error with line: {out}")
        check("bad.sql:1:1: error[migration-ban-drop-table]" in out and "bad.sql:3:1: error[migration-ban-drop-column]"
              in out, "statements around the error still linted")
        code, out, err = run(pgsift, "--format", "json", bad)
        doc = json.loads(out)
        check(code == 2 and doc["errors"][0]["line"] == 2 and "bad.sql:2: syntax error" in err, "JSON errors + stderr")

        # .pgsift.toml: found in the working directory, paths, severity, aliases.
        os.makedirs(os.path.join(tmp, "proj", "db"))
        open(os.path.join(tmp, "proj", "db", "V1__a.sql"), "w").write(
            "ALTER TABLE visits ADD COLUMN seen_at timestamp;\n")
        cfg = os.path.join(tmp, "proj", ".pgsift.toml")
        open(cfg, "w").write('[lint]\npaths = ["db"]\nfail_on = "error"\n[rules]\n'
                             'disable = ["require-lock-timeout", "migration-require-statement-timeout"]\n'
                             '[rules.prefer-timestamptz]\nseverity = "error"\n[report]\nweekly = true\n')
        code, out, err = run(pgsift, cwd=os.path.join(tmp, "proj"))
        check(code == 1 and "db/V1__a.sql:1:1: error[migration-prefer-timestamptz]" in out,
              f"config paths + severity override: {code} {out} {err}")
        check("lock-timeout" not in out, "config disable by squawk name")
        open(cfg, "w").write('[lint]\npaths = ["db"]\nfail_on = "error"\nmax_files = 3\n')
        code, _, err = run(pgsift, cwd=os.path.join(tmp, "proj"))
        check(code == 2 and ".pgsift.toml:4: unknown key in [lint]: max_files" in err, f"config error line: {err}")

    # JSON, JUnit, GitHub; deterministic.
    code, out1, _ = run(pgsift, "--format", "json", corpus)
    _, out2, _ = run(pgsift, "--format", "json", corpus)
    check(out1 == out2, "JSON is deterministic")
    doc = json.loads(out1)
    check(doc["schema"] == "pgsift.lint.v1" and len(doc["files"]) == 9, "JSON header")
    n = len(doc["findings"])
    check(n > 10 and all({"rule", "severity", "message", "location", "key"} <= set(f) for f in doc["findings"]),
          "JSON findings")

    code, out, _ = run(pgsift, "--format", "junit", corpus)
    root = ET.fromstring(out)
    check(root.tag == "testsuites" and int(root.get("failures")) == n, "JUnit failures = findings")
    check(len(root.findall("testsuite")) == 9, "JUnit: a suite per file")
    check(len(root.findall(".//failure")) == n, "JUnit failure elements")

    code, out, _ = run(pgsift, "--format", "github", corpus)
    lines = out.splitlines()
    check(len(lines) == n, "one annotation per finding")
    pat = re.compile(r"^::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+(,endLine=\d+)?,title=[a-z-]+::\S.*$")
    check(all(pat.match(l) for l in lines), "annotation syntax")

    # --workload takes an analyze JSON and a snapshot together (sizes for
    # migration-rewrites-large-table, queries for locks-hot-table); never two of a kind.
    large = os.path.join(fixtures, "rules", "migration-rewrites-large-table")
    hot = os.path.join(fixtures, "rules", "migration-locks-hot-table")
    both = ["--workload", os.path.join(hot, "workload.json"), "--workload", os.path.join(large, "snapshot.json.gz")]
    code, out, err = run(pgsift, *both, os.path.join(large, "err_alter_type.sql"))
    check(code == 1 and "error[migration-rewrites-large-table] ALTER COLUMN notes TYPE rewrites visits (242.2 MB"
          in out, f"snapshot sizes reach the rule: {out}{err}")
    code, out, err = run(pgsift, os.path.join(large, "err_alter_type.sql"))
    check("[migration-rewrites-large-table]" not in out, "no snapshot: the size rule is silent")
    code, out, err = run(pgsift, "--workload", os.path.join(large, "snapshot.json.gz"), "--workload",
                         os.path.join(large, "snapshot.json.gz"), os.path.join(large, "err_alter_type.sql"))
    check(code == 2 and "a second snapshot" in err, f"two snapshots -> 2: {err}")
    code, out, err = run(pgsift, "--workload", os.path.join(large, "err_alter_type.sql"),
                         os.path.join(large, "err_alter_type.sql"))
    check(code == 2 and "err_alter_type.sql: not a JSON document" in err, f"not a workload -> 2: {err}")

    code, out, _ = run(pgsift, "--list-rules")
    check(code == 0 and "migration-require-concurrent-index-creation  [error]" in out
          and "(squawk: require-concurrent-index-creation)" in out, "--list-rules")

    # --schema takes pg_dump 15.14+ output as it is: its \restrict line is a
    # psql meta-command, not a syntax error (exit 2 before).
    dump = os.path.join(fixtures, "rules", "index-missing", "schema.sql")
    with open(dump) as f:
        check(any(line.startswith("\\restrict ") for line in f), "the pg_dump fixture has its \\restrict line")
    code, out, err = run(pgsift, "--fail-on", "none", "--schema", dump, warn_only)
    check(code == 0 and "syntax error" not in out + err, f"--schema pg_dump output with \\restrict: {code} {out}{err}")
    # A FIFO named *.sql in a migrations directory blocked lint forever: it
    # is named as not read, and the directory's real files are linted.
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(os.path.join(corpus, "flyway", "V2__add_status.sql"), os.path.join(tmp, "001.sql"))
        os.mkfifo(os.path.join(tmp, "002.sql"))
        os.symlink(os.path.join(tmp, "gone.sql"), os.path.join(tmp, "003.sql"))
        try:
            p = subprocess.run([pgsift, "lint", tmp], capture_output=True, text=True, timeout=60)
            said = p.stderr + p.stdout
            check(p.returncode == 2 and re.search(r"002\.sql: not a regular file \(a FIFO", said)
                  and re.search(r"003\.sql: a link to nothing", said)
                  and "001.sql:1:1: error[migration-adding-required-field]" in p.stdout,
                  f"a FIFO and a dangling link among the migrations: {p.returncode} {p.stdout}{p.stderr}")
        except subprocess.TimeoutExpired:
            check(False, "lint blocked on a FIFO named 002.sql")
    print(f"{len(FAILURES)} failures")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
