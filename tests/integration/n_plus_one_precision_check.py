#!/usr/bin/env python3
"""Checks workload-n-plus-one on the log of n_plus_one_precision_live.sh, one
application_name (scenario) at a time:

- healthy traffic gives no warning: independent pgbench requests on one
  connection (clinic-mixed; clinic-pages, where the lookups follow a LIMIT
  list by chance, in fewer than half of its runs), a burst on an unindexed column opening its
  session (clinic-reports), a dashboard loop after a single-row lookup
  (clinic-dashboard), a real N+1 behind a transaction-mode pgbouncer without
  request tags (shop-untagged); a weak finding says "possible" at info;
- a list without LIMIT is a list when auto_explain shows its rows
  (clinic-visits); without auto_explain it stays "possible"
  (clinic-visits-bare), and a parent auto_explain shows returning one row
  is no list (clinic-front);
- real N+1s stay warnings: in a transaction with the LIMIT as a bind
  parameter (clinic-web), and behind pgbouncer with traceparent tags
  (shop-tagged, grouped by request across server sessions);
- an estimated saving of server time never exceeds the time in the bursts,
  and slow lookups get no server-time estimate;
- no value from the log (the trace id) appears in the output.

usage: n_plus_one_precision_check.py PGSIFT LOG
"""
import json
import os
import re
import subprocess
import sys
import tempfile

NP = "workload-n-plus-one"
CHILD = "SELECT id, name, birth_date FROM patients WHERE id = $1"
TRACE = "4bf92f3577b34da6a3ce929"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def ms(text):
    """A duration as pgsift writes it ("0.913 ms", "1.5 ms", "2.40 s", "1.2 min") in ms."""
    value, unit = text.split()
    return float(value) * {"ms": 1, "s": 1000, "min": 60000, "h": 3600000}[unit]


def analyze(pgsift, log, app, tmp):
    out = os.path.join(tmp, app + ".json")
    proc = subprocess.run([pgsift, "analyze", log, "--application", app, "--json", out],
                          capture_output=True, text=True)
    check(proc.returncode == 0, f"{app}: exit {proc.returncode}: {proc.stderr}")
    with open(out) as f:
        raw = f.read()
    check(TRACE not in raw and TRACE not in proc.stdout, f"{app}: the trace id reached the output")
    findings = [f for f in json.loads(raw)["findings"] if f["rule"] == NP]
    for f in findings:
        facts = f.get("facts", {})
        saving = re.match(r"about ([0-9.]+ (?:ms|s|min|h)) of server time", facts.get("estimated saving", ""))
        spent = re.match(r"([0-9.]+ (?:ms|s|min|h))", facts.get("time in bursts", ""))
        if saving and spent:
            check(ms(saving.group(1)) <= ms(spent.group(1)), f"{app}: saving above the time spent: {facts}")
        if f["severity"] != "warning":
            check(f["message"].startswith("possible N+1") and f["severity"] == "info",
                  f"{app}: a weak finding is an info 'possible N+1': {f}")
    return findings


def warnings(findings):
    return [f for f in findings if f["severity"] == "warning"]


def main():
    pgsift, log = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        got = {app: analyze(pgsift, log, app, tmp)
               for app in ["clinic-mixed", "clinic-pages", "clinic-reports", "clinic-dashboard", "clinic-web", "shop-tagged",
                           "shop-untagged", "clinic-visits", "clinic-visits-bare", "clinic-front"]}
    for app in ["clinic-mixed", "clinic-pages", "clinic-reports", "clinic-dashboard", "shop-untagged", "clinic-visits-bare",
                "clinic-front"]:
        check(warnings(got[app]) == [], f"{app}: no N+1 warning on healthy traffic:\n"
              f"{json.dumps(warnings(got[app]), indent=1)}")
    pages = got["clinic-pages"]
    check(pages and all("look independent of it" in f["facts"]["evidence"] for f in pages),
          f"clinic-pages: runs of random lookups after a LIMIT list are a possible N+1 at most: {pages}")
    reports = got["clinic-reports"]
    check(len(reports) == 1 and "per lookup" in reports[0]["facts"]
          and "server time not estimated" in reports[0]["facts"].get("estimated saving", ""),
          f"clinic-reports: one possible N+1, slow lookups, no server-time saving: {reports}")

    web = warnings(got["clinic-web"])
    check(len(web) == 1 and web[0]["facts"]["child"] == CHILD and web[0]["facts"]["bursts"] == "10, 60 executions",
          f"clinic-web: the N+1 in a transaction, LIMIT as a bind parameter: 10 bursts of 6: {got['clinic-web']}")
    visits = warnings(got["clinic-visits"])
    check(len(visits) == 1 and visits[0]["facts"]["child"] == CHILD
          and visits[0]["facts"]["bursts"] == "10, 50 executions"
          and "auto_explain shows returning up to 5 rows per call" in visits[0]["facts"]["evidence"],
          f"clinic-visits: a list without LIMIT, its 5 rows shown by auto_explain: {got['clinic-visits']}")
    bare = got["clinic-visits-bare"]
    check(len(bare) == 1 and "no auto_explain plan" in bare[0]["facts"]["evidence"],
          f"clinic-visits-bare: rows unknown without auto_explain, a possible N+1: {bare}")
    front = got["clinic-front"]
    check(len(front) == 1 and "at most 1 row per call" in front[0]["facts"]["evidence"],
          f"clinic-front: a single-row parent (auto_explain) is no list: {front}")

    tagged = warnings(got["shop-tagged"])
    check(len(tagged) == 1 and len(got["shop-tagged"]) == 1, f"shop-tagged: one N+1 warning: {got['shop-tagged']}")
    if tagged:
        facts = tagged[0]["facts"]
        check(facts["child"] == CHILD and facts["bursts"] == "40, 240 executions"
              and facts["burst size"] == "typical 6, max 6", f"shop-tagged: 40 requests x 6 lookups: {facts}")
        check(facts["session identity"].startswith("request"), f"shop-tagged: grouped by request: {facts}")
        check(facts.get("code") == "controller=schedule, action=index (40)", f"shop-tagged: code tags: {facts}")

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("n_plus_one_precision_check: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
