#!/usr/bin/env python3
"""Checks the outputs make_index_workload.sh wrote with PGSIFT_BIN set."""
import json
import pathlib
import sys

run = pathlib.Path(sys.argv[1])
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


live = json.loads((run / "live.json").read_text())
offline = json.loads((run / "offline.json").read_text())
live_indexed = json.loads((run / "live_indexed.json").read_text())
check("exit 0" in (run / "live.err").read_text(), "live run exits 0")
check("exit 0" in (run / "offline.err").read_text(), "offline run exits 0")
check(live["proof"] == "hypopg", "live run proved with HypoPG: %s" % live.get("proof_error", ""))
check(offline["proof"] == "none", "offline run has no proof")


def keys(doc):
    return sorted((c["table"], tuple(c["columns"])) for c in doc["candidates"])


def reported(doc):
    out = set()
    for f in doc["findings"]:
        if f["rule"] not in ("index-missing", "index-foreign-key-unindexed", "index-duplicate"):
            continue
        fix = f.get("fix", "")
        out.add((f["rule"], fix))
    return out


expected_candidates = sorted([
    ("public.appointments", ("patient_id",)),
    ("public.appointments", ("starts_at",)),
    ("public.appointments", ("status",)),
    ("public.lab_results", ("code", "created_at")),
    ("public.lab_results", ("created_at",)),  # ORDER BY created_at DESC LIMIT 20, no filter
    ("public.patients", ("email",)),  # LIKE 'p7%' (the suffix search gives none)
    ("public.patients", ("name",)),
])
check(keys(live) == expected_candidates, "live candidates %s" % keys(live))
check(keys(offline) == expected_candidates, "offline candidates equal the live ones %s" % keys(offline))

dups = [f for f in live["findings"] if f["rule"] == "index-duplicate"]
# Which of the two the planner picked decides which is reported (the less used one).
clinic_dups = [f for f in dups if f.get("fix") in ("DROP INDEX CONCURRENTLY public.patients_clinic_id_idx;",
                                                   "DROP INDEX CONCURRENTLY public.patients_clinic_copy_idx;")]
check(len(dups) == 2 and len(clinic_dups) == 1,
      "live: the twice-created index (catalog definition key): %s" % [f.get("message") for f in dups])
# A UNIQUE constraint and a unique index on doctors (license): the index goes, the constraint stays.
check(any(f.get("fix") == "DROP INDEX CONCURRENTLY public.doctors_license_idx;" for f in dups),
      "live: uniqueness enforced twice (constraint + unique index)")
off_dups = [f for f in offline["findings"] if f["rule"] == "index-duplicate"]
check(sorted(f.get("fix") for f in off_dups if "doctors" in f.get("fix", "")) ==
      ["DROP INDEX CONCURRENTLY public.doctors_license_idx;"] and len(off_dups) == 2,
      "offline: the same duplicates from the dump")
live_findings = reported(live) - {("index-duplicate", f.get("fix", "")) for f in dups}
expected_live = {
    ("index-foreign-key-unindexed",
     "CREATE INDEX CONCURRENTLY appointments_patient_id_idx ON public.appointments (patient_id);"),
    ("index-missing",
     "CREATE INDEX CONCURRENTLY lab_results_code_created_at_idx ON public.lab_results (code, created_at);"),
    ("index-missing", "CREATE INDEX CONCURRENTLY patients_name_idx ON public.patients (name);"),
    ("index-missing", "CREATE INDEX CONCURRENTLY lab_results_created_at_idx ON public.lab_results (created_at);"),
    # C.UTF-8 is not C: LIKE 'prefix%' needs the pattern operator class
    ("index-missing", "CREATE INDEX CONCURRENTLY patients_email_idx ON public.patients (email text_pattern_ops);"),
}
check(live_findings == expected_live, "live findings are exactly the missing indexes: %s" % sorted(live_findings))
status = [c for c in live["candidates"] if c["columns"] == ["status"]]
check(len(status) == 1 and (not status[0]["proven"] or status[0]["saving"] < 0.5),
      "appointments(status), a column of three values: HypoPG finds too small a saving (%.3f), not suggested"
      % (status[0]["saving"] if status else -1))
for c in live["candidates"]:
    if c["columns"] not in (["status"], ["starts_at"], ["email"]):
        check(c["proven"] and c["saving"] >= 0.5, "%s proven, saving %.3f" % (c["statement"], c["saving"]))
email = [c for c in live["candidates"] if c["columns"] == ["email"]]
check(len(email) == 1 and email[0]["kinds"] == ["like-prefix"] and email[0]["opclasses"] == ["text_pattern_ops"]
      and not email[0]["proven"] and email[0]["plan_removed_fraction"] > 0.9,
      "patients(email) LIKE prefix: not provable with a generic plan, the plans' filters removed %.3f"
      % (email[0].get("plan_removed_fraction", -1) if email else -1))
sort = [c for c in live["candidates"] if c["columns"] == ["created_at"]]
check(len(sort) == 1 and sort[0]["kinds"] == ["sort"], "lab_results(created_at) for ORDER BY ... LIMIT")

# Plan evidence (auto_explain with log_analyze, text format): the FK lookups
# read appointments with a Seq Scan whose filter threw nearly every row away.
fk = [c for c in live["candidates"] if c["columns"] == ["patient_id"]]
ev = [q["plan_evidence"] for q in fk[0]["queries"] if "plan_evidence" in q] if fk else []
check(len(ev) >= 2 and all(e["seq_scans"] >= 1 and e["removed_fraction"] > 0.99 and e["relation"] == "appointments"
                           for e in ev),
      "appointments(patient_id): the plans show Seq Scans removing >99%% of the rows: %s" % ev)
check(fk and fk[0]["plan_removed_fraction"] > 0.99 and not fk[0]["plan_counter_evidence"],
      "appointments(patient_id): strong plan evidence")
starts = [c for c in offline["candidates"] if c["columns"] == ["starts_at"]]
check(len(starts) == 1 and starts[0]["plan_counter_evidence"],
      "appointments(starts_at): the plans' filter kept most rows (counter-evidence)")
off_starts = [f for f in offline["findings"] if f["rule"] == "index-missing" and "(starts_at)" in f.get("fix", "")]
check(len(off_starts) == 1 and off_starts[0]["severity"] == "info",
      "offline, unproven: appointments(starts_at) only as info (weak plan evidence)")
check(keys(live) == keys(offline) and
      [[q.get("plan_evidence") for q in c["queries"]] for c in sorted(live["candidates"], key=lambda c: c["statement"])] ==
      [[q.get("plan_evidence") for q in c["queries"]] for c in sorted(offline["candidates"], key=lambda c: c["statement"])],
      "live and offline read the same plan evidence from the same log")
live_txt = (run / "live.txt").read_text()
check("plan evidence: " in live_txt and "index entries per hour for one more index" in live_txt,
      "the terminal output shows the plan evidence and the write cost")
wc = [c.get("write_index_entries_per_hour") for c in live["candidates"] if c["table"] == "public.appointments"]
check(wc and all(w is not None and w > 0 for w in wc),
      "live: write cost per hour on appointments (inserts and updates): %s" % wc)
starts = [c for c in live["candidates"] if c["columns"] == ["starts_at"]]
check(len(starts) == 1 and (not starts[0]["proven"] or starts[0]["saving"] < 0.1),
      "appointments(starts_at) for a range most rows pass: HypoPG saving %.3f, not suggested"
      % (starts[0]["saving"] if starts else -1))
invalid = [f.get("fix") for f in live["findings"] if f["rule"] == "index-invalid"]
check(invalid == ["DROP INDEX CONCURRENTLY public.patients_clinic_key;"], "live: the failed concurrent build: %s" % invalid)
check(not any(f["rule"] == "index-invalid" for f in offline["findings"]), "offline (pg_dump skips invalid indexes): none")
unused = sorted(f["fix"] for f in live["findings"] if f["rule"] == "index-unused")
check("DROP INDEX CONCURRENTLY public.lab_results_pending_idx;" not in unused and
      all("pkey" not in u for u in unused), "live index-unused: never a used or a primary key index: %s" % unused)
check(not any(f["rule"] == "index-unused" for f in offline["findings"]), "offline: no index-unused (no statistics)")
offline_findings = reported(offline) - {("index-duplicate", f.get("fix", "")) for f in off_dups}
check(expected_live <= offline_findings and len(offline_findings) == len(expected_live) + 2,
      "offline findings: the live ones plus the two unproven ones: %s" % sorted(offline_findings - expected_live))
check(all(f["rule"] != "index-missing" for f in live_indexed["findings"]),
      "a workload served by indexes gives no index-missing finding")

canaries = ["山田花子", "CANARY-LAB-7731", "918273645", "patient 9", "@example.org", "cancelled", "p7%", "p14%"]
for path in sorted(run.iterdir()):
    text = path.read_text(encoding="utf-8", errors="replace")
    for c in canaries:
        check(c not in text, "no %r in %s" % (c, path.name))

sys.exit(1 if failures else 0)
