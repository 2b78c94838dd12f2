"""Checks the reports made by pgss_report_live.sh (see there)."""
import glob
import gzip
import json
import os
import sys

out = sys.argv[1]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def snap(name):
    with gzip.open(os.path.join(out, name), "rt") as f:
        return json.load(f)


ab = json.load(open(os.path.join(out, "ab.json")))
slowed = "SELECT sum(amount_cents) FROM invoices WHERE patient_id = $1"
added = "SELECT status, count(*) FROM appointments WHERE starts_at > now() - interval $1 GROUP BY status"
untouched = ["SELECT full_name, born FROM patients WHERE id = $1",
             "SELECT id, starts_at, status FROM appointments WHERE patient_id = $1 ORDER BY starts_at"]
removed = "SELECT count(*) FROM patients WHERE clinic_id = $1"

regressions = [q["query"] for q in ab["regressions"]]
new = [q["query"] for q in ab["new_queries"]]
check(regressions == [slowed], f"regressions should be exactly the slowed query, got {regressions}")
check(added in new, f"new query missing from new_queries: {new}")
for q in untouched:
    check(q not in regressions and q not in new, f"untouched query reported: {q}")
    top = [t for t in ab["top_queries"] if t["query"] == q]
    check(len(top) == 1 and top[0]["trend"] == "steady", f"untouched query should be steady in top_queries: {top}")
check([q["query"] for q in ab["vanished_queries"]] == [removed], f"vanished: {ab['vanished_queries']}")
check(not ab["reset"], "a->b has no reset")
check(ab["top_queries"][0]["query"] == slowed, "slowed query should cost most")
check(any(x["index"] == "patients_name_idx" for x in ab["unused_indexes"]), "unused index not reported")
dups = [(d["table"], d["keep"], [x["index"] for x in d["drop"]]) for d in ab["duplicate_indexes"]]
check(dups == [("appointments", "appointments_by_patient", ["appointments_patient_idx"])], f"duplicates: {dups}")

bc = json.load(open(os.path.join(out, "bc.json")))
check(bc["reset"] and "stats_reset" in bc.get("reset_reason", ""), f"b->c reset not detected: {bc.get('reset_reason')}")

# pgsift never resets the view: a and b share stats_reset, counters only grow.
a, b = snap("a.json.gz"), snap("b.json.gz")
check(a["stats_reset"] == b["stats_reset"] and a["stats_reset"], "stats_reset changed between a and b")
calls_a = {e["fingerprint"]: e["calls"] for e in a["entries"]}
for e in b["entries"]:
    if e["fingerprint"] in calls_a and e["query"] != removed:
        check(e["calls"] >= calls_a[e["fingerprint"]], f"calls went down for {e['query']}")
check(a["server_version_num"] >= 150000 and "total_exec_time" in a["columns"], "version/columns not detected")
check(not any("pg_stat_statements s LEFT JOIN" in e["query"] for e in b["entries"]), "pgsift's own query kept")
b_all = snap("b_all.json.gz")
check({e["database"] for e in b["entries"]} == {"postgres"}, "b holds other databases' rows")
check({e["database"] for e in b_all["entries"]} == {"postgres", "clinic_other"}, "--all-databases lost a database")
check(not any("pg_stat_statements s LEFT JOIN" in e["query"] for e in b_all["entries"]), "own query kept in b_all")

fleet = json.load(open(os.path.join(out, "fleet.json")))
check([d["database"] for d in fleet["databases"]] == ["north", "south"], f"fleet databases: {fleet['databases']}")
check([q["query"] for q in fleet["regressions"]] == [slowed], f"fleet regressions: {fleet['regressions']}")
check(fleet["window"]["calls"] == ab["window"]["calls"] + bc["window"]["calls"], "fleet calls are not the sum")

# Canary values planted by make_snapshots.sh appear in no output.
md = open(os.path.join(out, "ab_logs.md")).read()
check("## Load by day and hour" in md and "| Day (UTC)" in md, "load section missing with --logs")
check("No workload rules are registered" in md or "rules ran" in md or "```" in md, "findings section missing")
check("Logs: " in md and "before the window" in md, "no scope line for the window's logs")
foreign = open(os.path.join(out, "ab_foreign_logs.md")).read()
check("Logs: 0 records counted (database postgres, " in foreign and "before the window" in foreign,
      "a log of another run was not left out: " + next((l for l in foreign.splitlines() if l.startswith("Logs:")), ""))
outputs = []
for path in sorted(glob.glob(os.path.join(out, "*"))):
    if path.endswith(".gz"):
        outputs.append((path, gzip.open(path, "rt").read()))
    elif path.endswith((".md", ".json", ".html")) and not path.endswith("pgss_15.json"):
        outputs.append((path, open(path).read()))
check(len(outputs) >= 12, f"expected at least 8 outputs, got {len(outputs)}: {[os.path.basename(p) for p, _ in outputs]}")
raw = open(os.path.join(out, "pgss_15.csv")).read()
check("CANARY_DDL_3307" in raw and "CANARY_COMMENT_5512" in raw, "canaries were not planted in the server's view")
for path, text in outputs:
    check("CANARY" not in text, f"canary value leaked into {os.path.basename(path)}")

if failures:
    print("FAIL:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"ok: {len(outputs)} outputs checked; regression={regressions}; new={len(new)}")
