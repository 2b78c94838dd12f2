#!/usr/bin/env python3
"""pgsift indexes offline on the committed real PG15 capture: output, exit
codes, errors with file and line, and no planted literal in any output."""
import json
import os
import subprocess
import sys
import tempfile

pgsift, fixtures = sys.argv[1], sys.argv[2]
d = os.path.join(fixtures, "rules", "index-missing")
log, schema = os.path.join(d, "err_clinic_stderr.log"), os.path.join(d, "schema.sql")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(*args, cwd=None):
    p = subprocess.run([pgsift, "indexes", *args], capture_output=True, text=True, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


outputs = []
rc, out, err = run(log, "--schema", schema)
outputs += [out, err]
check(rc == 0, "text run exits 0 (%d): %s" % (rc, err))
check("CREATE INDEX CONCURRENTLY patients_name_idx ON public.patients (name);" in out, "suggests patients (name)")
check("Ranked by time" in out, "ranked list")
rc, out, err = run(log, "--schema", schema, "--json")
outputs += [out, err]
doc = json.loads(out)
check(doc["schema"] == "pgsift.indexes.v1" and doc["proof"] == "none", "JSON document")
check(len(doc["candidates"]) == 7, "seven candidates offline: %s" % [c["statement"] for c in doc["candidates"]])
missing = [f for f in doc["findings"] if f["rule"] == "index-missing"]
check(any(f["severity"] == "warning" for f in missing) and any(f["severity"] == "info" for f in missing),
      "offline: weak plan evidence lowers a finding to info, strong keeps warning")

# Text plans and JSON plans of the same workload, read on 1 and 4 threads:
# the same document (plan evidence summed in any order).
json_plans = os.path.join(d, "err_clinic_json_plans_stderr.log")
docs = []
for jobs in ("1", "4"):
    rc, out, err = run(log, json_plans, "--schema", schema, "--json", "-j", jobs)
    outputs += [out, err]
    docs.append(out)
check(rc == 0 and docs[0] == docs[1], "-j 1 and -j 4 give the same JSON (text and JSON plans)")
both = json.loads(docs[0])
name = [c for c in both["candidates"] if c["columns"] == ["name"]]
check(name and name[0]["queries"][0]["plan_evidence"]["plans"] == name[0]["queries"][0]["plans"],
      "every logged plan of the query, text or JSON, counts in its evidence")

# .pgsift.toml: [rules.<id>] severity, enabled and options, as pgsift lint reads them
with tempfile.TemporaryDirectory() as cfg:
    with open(os.path.join(cfg, ".pgsift.toml"), "w") as f:
        f.write('[rules.index-missing]\nseverity = "error"\nmin_saving = 0.7\n\n'
                '[rules.index-duplicate]\nenabled = false\n')
    rc, out, err = run(log, "--schema", schema, "--json", "--fail-on", "error", cwd=cfg)
    outputs += [out, err]
    cdoc = json.loads(out)
    sev = sorted({f["severity"] for f in cdoc["findings"] if f["rule"] == "index-missing"})
    check(rc == 1 and sev == ["error", "info"], "config: index-missing at error (weak ones stay info): %s %d" % (sev, rc))
    check(not any(f["rule"] == "index-duplicate" for f in cdoc["findings"]), "config: index-duplicate disabled")
    # min_saving from the file decides the plan verdict: 0.7 > the status filter's 67%
    status = [c for c in cdoc["candidates"] if c["columns"] == ["status"]]
    check(status and status[0]["plan_counter_evidence"], "config: min_saving 0.7 read from the file")
    rc, out, err = run(log, "--schema", schema, "--json", "--min-saving", "0.5", cwd=cfg)
    status = [c for c in json.loads(out)["candidates"] if c["columns"] == ["status"]]
    check(status and not status[0]["plan_counter_evidence"], "--min-saving on the command line wins over the file")
    with open(os.path.join(cfg, "bad.toml"), "w") as f:
        f.write('[rules.index-missing]\nmin_saving = 2\n')
    rc, out, err = run(log, "--schema", schema, "--config", os.path.join(cfg, "bad.toml"), cwd=cfg)
    check(rc == 2 and "bad.toml" in err and "min_saving" in err, "bad min_saving: exit 2 naming the file: " + err.strip())
    with open(os.path.join(cfg, "unknown.toml"), "w") as f:
        f.write('[rules.index-nonsense]\nenabled = false\n')
    rc, out, err = run(log, "--schema", schema, "--config", os.path.join(cfg, "unknown.toml"), cwd=cfg)
    check(rc == 2 and "unknown.toml" in err, "unknown rule in the config: exit 2: " + err.strip())
rc, out, err = run(log, "--schema", schema, "--fail-on", "warning")
outputs += [out, err]
check(rc == 1, "--fail-on warning exits 1 on findings (%d)" % rc)
rc, out, err = run(os.path.join(d, "ok_indexed_stderr.log"), "--schema", schema, "--fail-on", "warning")
check(rc == 1 and "index-missing" not in out, "served workload: only the schema's unindexed foreign key and duplicate")
rc, out, err = run("--schema", os.path.join(fixtures, "migrations", "golang-migrate"), "--schema", schema, log)
check(rc == 0 and "patients_name_idx" in out, "--schema DIR --schema FILE before the log: both read, the log is a log")
rc, out, err = run(log)
check(rc == 2 and "no schema" in err, "no schema: exit 2 with a reason")
with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as bad:
    bad.write("CREATE TABLE a (id int);\n\nCREATE TABLE b (id int,,);\n")
rc, out, err = run(log, "--schema", bad.name)
os.unlink(bad.name)
check(rc == 2 and (os.path.basename(bad.name) + ":3:") in err, "schema syntax error names file:line: " + err.strip())
rc, out, err = run("/nonexistent/x.log", "--schema", schema)
check(rc == 2 and "/nonexistent/x.log" in err, "unreadable log: exit 2 naming it")
rc, out, err = run(log, "--dsn", "postgresql://u:s3cr3tpw@127.0.0.1:1/db")
outputs += [out, err]
check(rc == 2 and "s3cr3tpw" not in err and "***" in err, "refused connection: exit 2, password redacted: " + err.strip())

for c in ["山田花子", "CANARY-LAB-7731", "918273645", "@example.org", "patient 9"]:
    check(all(c not in o for o in outputs), "no %r in any output" % c)
sys.exit(1 if failures else 0)
