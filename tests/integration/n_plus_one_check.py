#!/usr/bin/env python3
"""Checks the session-burst rules on one capture of fixtures/rules/make_n_plus_one.sh
(the committed one, or a fresh one from a live PostgreSQL 15):

- stderr, csvlog and jsonlog of each scenario give the same findings (the
  example's log line aside: csv/json records take fewer lines);
- the planted N+1s are found (simple protocol: 3 bursts of 9 with their
  sqlcommenter code tags; two lookups per row, patient then doctor; extended protocol: 3 pgbench clients x 2 bursts of 6),
  the same with only %p for sessions, the identical repeat is the other rule's, the healthy traffic gives nothing,
  and the log without session identity says so and marks its finding;
- no planted canary value appears in any output (terminal, JSON).

usage: n_plus_one_check.py PGSIFT DIR   (DIR holds workload-n-plus-one/ and
                                         workload-repeated-identical-query/)
"""
import json
import os
import subprocess
import sys
import tempfile

NP = "workload-n-plus-one"
RI = "workload-repeated-identical-query"
CANARIES = ["987654321", "CANARY-Zoe-Quux", "CANARY-8d1f", "4bf92f3577b34da6"]
CHILD = "SELECT id, name, birth_date FROM patients WHERE id = $1"
# Shown without the closing ';' whether the first statement had one or not
# (which one a log holds first differs between stderr, csvlog and jsonlog).
PARENT = "SELECT id, patient_id, starts_at FROM appointments WHERE doctor_id = $1 ORDER BY starts_at, id LIMIT $2"

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def analyze(pgsift, path, tmp):
    out = os.path.join(tmp, "report.json")
    proc = subprocess.run([pgsift, "analyze", path, "--json", out], capture_output=True, text=True)
    check(proc.returncode == 0, f"{path}: exit {proc.returncode}: {proc.stderr}")
    with open(out) as f:
        raw = f.read()
    findings = json.loads(raw)["findings"]
    text = proc.stdout + proc.stderr
    for c in CANARIES:
        check(c not in text, f"{path}: canary {c} in the terminal output")
        check(c not in json.dumps(findings), f"{path}: canary {c} in the JSON findings")
    for f in findings:
        f.get("facts", {}).pop("example at", None)
    return findings, raw


def by_rule(findings, rule):
    return [f for f in findings if f["rule"] == rule]


def main():
    pgsift, root = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for rule_dir, stem in [(NP, "err_simple"), (NP, "err_pairs"), (NP, "err_extended"), (NP, "ok_healthy"),
                               (RI, "err_repeated")]:
            per_format = []
            for suffix in ["_stderr.log", "_csv.csv", "_json.json"]:
                path = os.path.join(root, rule_dir, stem + suffix)
                findings, _ = analyze(pgsift, path, tmp)
                per_format.append(findings)
            for name, other in zip(["csvlog", "jsonlog"], per_format[1:]):
                check(other == per_format[0], f"{stem}: {name} findings differ from stderr:\n"
                      f"{json.dumps(per_format[0], indent=1)}\n---\n{json.dumps(other, indent=1)}")
            results[stem] = per_format[0]
        nosession, _ = analyze(pgsift, os.path.join(root, NP, "err_nosession_stderr.log"), tmp)
        pidonly, _ = analyze(pgsift, os.path.join(root, NP, "err_pidonly_stderr.log"), tmp)

    simple = by_rule(results["err_simple"], NP)
    check(len(simple) == 1 and not by_rule(results["err_simple"], RI), f"err_simple: one N+1 finding: {simple}")
    if simple:
        facts = simple[0]["facts"]
        check(facts["child"] == CHILD and facts["parent"] == PARENT, f"err_simple: child/parent: {facts}")
        check(facts["bursts"] == "3, 27 executions", f"err_simple: 3 bursts of 9: {facts['bursts']}")
        check(facts.get("code") == "controller=schedule, action=index (3)", f"err_simple: code tags: {facts}")
        # The statements carry a sqlcommenter traceparent: one request's sequence.
        check(facts["session identity"].startswith("request"), f"err_simple: identity: {facts}")
        check(simple[0]["fix"] == CHILD.replace("= $1", "= ANY($1)"), f"err_simple: fix: {simple[0]['fix']}")
    # Two lookups per row: the patient (values differ: N+1) and the row's
    # doctor (always the listed doctor: a repeated identical query).
    pairs = results["err_pairs"]
    check([(f["rule"], f["facts"]["child"]) for f in pairs] ==
          [(NP, CHILD), (RI, "SELECT id, name FROM doctors WHERE id = $1")], f"err_pairs: {pairs}")
    if len(pairs) == 2:
        check(pairs[0]["facts"].get("alternates with", "").startswith("SELECT id, name FROM doctors"),
              f"err_pairs: the N+1 names its sibling: {pairs[0]}")
        check(pairs[0]["facts"]["bursts"] == "2, 14 executions", f"err_pairs: 2 bursts of 7: {pairs[0]}")
    extended = by_rule(results["err_extended"], NP)
    check(len(extended) == 1, f"err_extended: one N+1 finding: {extended}")
    if extended:
        facts = extended[0]["facts"]
        check(facts["child"] == CHILD and facts["parent"] == PARENT, f"err_extended: child/parent: {facts}")
        check(facts["bursts"] == "6, 36 executions", f"err_extended: 6 bursts of 6: {facts['bursts']}")
        check(facts["applications"] == "clinic-api (6)", f"err_extended: application: {facts}")
    check(results["ok_healthy"] == [], f"ok_healthy: no finding: {json.dumps(results['ok_healthy'], indent=1)}")
    repeated = results["err_repeated"]
    check([f["rule"] for f in repeated] == [RI], f"err_repeated: only the repeated-identical finding: {repeated}")
    notes = [f for f in nosession if f["severity"] == "info" and "no session identity" in f["message"]]
    check(len(notes) == 1, f"err_nosession: one notice about the missing session identity: {nosession}")
    # Without session identity the traceparent tags still group the request's statements.
    tagged = [f for f in by_rule(nosession, NP) if f.get("facts", {}).get("session identity", "").startswith("request")]
    check(len(tagged) == 1 and tagged[0]["severity"] == "warning", f"err_nosession: grouped by request: {nosession}")

    check([(f["facts"]["bursts"], f["facts"]["session identity"]) for f in pidonly] ==
          [("2, 18 executions", "request (sqlcommenter traceparent)")], f"err_pidonly: 2 bursts by request: {pidonly}")

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("n_plus_one_check: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
