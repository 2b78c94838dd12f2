#!/usr/bin/env python3
"""Platform log formats (issue 19): every sample in fixtures/platforms is
detected without flags, read with the right counts, and keeps its timestamps.

Where the expected numbers come from:
- cnpg.log.gz (real CloudNativePG sample; Debian's pgBadger 12 cannot read
  it): derived here from the sample with Python's json module: the records of
  logger "postgres" ("duration: N ms  statement: ..." messages are the calls,
  their N the duration; ERROR/FATAL/PANIC the errors; log_time the first and
  last time; 4 lines of logger "postgres" carry PostgreSQL's own stderr before
  its collector starts, read as "%m [%p] " lines), and the lines of other
  loggers skipped as not_postgres.
- logplex.gz (real Heroku drain): pgBadger 12 reads it; query count checked
  live, errors against the ERROR/FATAL/PANIC lines of the sample.
- cloudsql.log.gz (real Cloud SQL sink export): pgBadger 12 reads it (-f
  jsonlog); its query count is checked live, and the errors against the
  ERROR/FATAL/PANIC textPayloads of the sample; first and last time are the
  entries' own timestamps.
- cloudsql.gcloud.json.gz (the same entries as gcloud's JSON array): the same
  numbers as cloudsql.log.gz.
- clinic.*.gz (our PostgreSQL 15 run, wrapped by fixtures/make_platform_logs.py,
  among them the three CloudWatch Logs shapes, journald's short-iso text and
  RFC 5424 as rsyslog forwards the journal):
  the same workload as fixtures/logs/clinic.csv / clinic.stderr.log, which
  pgbadger_crosscheck checks against pgBadger: calls, durations, errors,
  per-query calls and first/last time must be those of the unwrapped log.
Every input: lines in records + lines skipped = lines, and only blank or
not_postgres skips.
"""
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile

PGSIFT, FIXTURES = sys.argv[1], sys.argv[2]
P = os.path.join(FIXTURES, "platforms")
failures = []


def analyze(path, tmp):
    out = os.path.join(tmp, "out.json")
    subprocess.run([PGSIFT, "analyze", path, "--json", out, "-q"], check=True)
    with open(out) as f:
        return json.load(f)


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def common(name, doc, fmt, source=None):
    s = doc["summary"]
    inp = s["inputs"][0]
    check(inp["format"] == fmt, f"{name}: detected as {inp['format']} (want {fmt})")
    if source is not None:
        check(inp.get("source") == source, f"{name}: source {inp.get('source')!r} (want {source!r})")
    check(s["lines_in_records"] + s["lines_skipped"] == s["lines_total"],
          f"{name}: {s['lines_in_records']} in records + {s['lines_skipped']} skipped = {s['lines_total']} lines")
    bad = set(inp["skipped_by_reason"]) - {"blank", "not_postgres"}
    check(not bad, f"{name}: no unexplained skips ({sorted(bad)})")
    check(s["first_seen"] not in ("", "?") and s["last_seen"] not in ("", "?"),
          f"{name}: timestamps kept ({s['first_seen']} .. {s['last_seen']})")


def iso(t):
    """'2022-11-27 18:58:02.096 UTC' or '2020-05-02T13:00:20.382318Z' -> pgsift's ISO form prefix (seconds)."""
    return t.replace(" ", "T")[:19]


def pgbadger_queries(path, tmp):
    out = os.path.join(tmp, "pgbadger.json")
    subprocess.run(["pgbadger", "-q", "--pid-dir", tmp, "-o", out, path], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    with open(out) as f:
        return json.load(f)["overall_stat"]["queries_number"]


def per_query(doc):
    return sorted((q["fingerprint"], q["calls"]) for q in doc["queries"])


def main():
    with tempfile.TemporaryDirectory() as tmp:
        # CloudNativePG, real sample.
        name = "cnpg.log.gz"
        calls, ms, errors, times, others = 0, 0.0, 0, [], 0
        with gzip.open(os.path.join(P, name), "rt", encoding="utf-8") as f:
            for line in f:
                o = json.loads(line)
                if o.get("logger") != "postgres":
                    others += 1
                    continue
                if o.get("msg") != "record":  # PostgreSQL's stderr before its collector: "%m [%p] ..."
                    times.append(o["msg"][:27])
                    continue
                r = o["record"]
                times.append(r["log_time"])
                m = re.match(r"duration: ([0-9.]+) ms  (statement|execute [^:]*): ", r.get("message", ""))
                if m:
                    calls += 1
                    ms += float(m.group(1))
                errors += r["error_severity"] in ("ERROR", "FATAL", "PANIC")
        doc = analyze(os.path.join(P, name), tmp)
        s = doc["summary"]
        common(name, doc, "cnpg", "pod myapp-pg-cluster-1")
        check(s["calls"] == calls == 400, f"{name}: calls {s['calls']} (derived from the sample: {calls})")
        check(abs(s["total_duration_ms"] - ms) < 0.01, f"{name}: duration {s['total_duration_ms']} (derived: {ms:.3f})")
        check(s["errors"] == errors, f"{name}: errors {s['errors']} (derived: {errors})")
        check(s["skipped_by_reason"].get("not_postgres") == others,
              f"{name}: other loggers skipped as not_postgres: {s['skipped_by_reason'].get('not_postgres')} "
              f"(derived: {others})")
        check(s["first_seen"].startswith(iso(min(times))) and s["last_seen"].startswith(iso(max(times))),
              f"{name}: {s['first_seen']} .. {s['last_seen']} (log_time {min(times)} .. {max(times)})")

        # Heroku logplex, real sample: syslog-like lines, Heroku's fixed prefix.
        name = "logplex.gz"
        with gzip.open(os.path.join(P, name), "rt", encoding="utf-8") as f:
            errors = sum(re.search(r"sql_error_code = \w+ (ERROR|FATAL|PANIC):  ", line) is not None for line in f)
        theirs = pgbadger_queries(os.path.join(P, name), tmp)
        doc = analyze(os.path.join(P, name), tmp)
        s = doc["summary"]
        common(name, doc, "syslog")
        check(s["calls"] == theirs, f"{name}: calls {s['calls']} (pgBadger: {theirs})")
        check(s["errors"] == errors, f"{name}: errors {s['errors']} (ERROR/FATAL/PANIC lines: {errors})")
        check(s["lines_skipped"] == 0, f"{name}: every line read ({s['lines_skipped']} skipped)")
        check(s["first_seen"].startswith("2019-03-14T00:22:56") and s["last_seen"].startswith("2021-09-07T04:01:27"),
              f"{name}: {s['first_seen']} .. {s['last_seen']}")

        # syslog (pgBadger's sample): RFC 3164 times keep their month, day and time; the year is inferred.
        doc = analyze(os.path.join(FIXTURES, "pgbadger", "pg-syslog.2.gz"), tmp)
        s = doc["summary"]
        check(s["first_seen"][4:19] == "-02-10T23:15:39" and s["last_seen"][4:19] == "-02-10T23:16:26",
              f"pg-syslog.2.gz: {s['first_seen']} .. {s['last_seen']} (header times Feb 10 23:15:39 .. 23:16:26)")

        # Cloud SQL, real sample (sink JSON lines) and the same as gcloud's array.
        name = "cloudsql.log.gz"
        errors, stamps, continued = 0, [], 0
        with gzip.open(os.path.join(P, name), "rt", encoding="utf-8") as f:
            for line in f:
                o = json.loads(line)
                stamps.append(o["timestamp"])
                errors += re.search(r" (ERROR|FATAL|PANIC):  ", o["textPayload"]) is not None
                continued += o["textPayload"].startswith("\t")  # the next line of the message before
        theirs = pgbadger_queries(os.path.join(P, name), tmp)
        doc = analyze(os.path.join(P, name), tmp)
        s = doc["summary"]
        common(name, doc, "cloudsql", "cloudsql sk5-formations-thomas:temp-thomas-2020-04-30")
        check(s["calls"] == theirs, f"{name}: calls {s['calls']} (pgBadger: {theirs})")
        check(s["errors"] == errors, f"{name}: errors {s['errors']} (ERROR/FATAL/PANIC payloads: {errors})")
        check(s["records"] == len(stamps) - continued,
              f"{name}: {s['records']} records (entries {len(stamps)} - {continued} continuing a message)")
        check(s["first_seen"].startswith(iso(min(stamps))) and s["last_seen"].startswith(iso(max(stamps))),
              f"{name}: {s['first_seen']} .. {s['last_seen']} (entries {min(stamps)} .. {max(stamps)})")
        gdoc = analyze(os.path.join(P, "cloudsql.gcloud.json.gz"), tmp)
        common("cloudsql.gcloud.json.gz", gdoc, "cloudsql", "cloudsql sk5-formations-thomas:temp-thomas-2020-04-30")
        for key in ("calls", "errors", "records", "first_seen", "last_seen", "total_duration_ms"):
            check(gdoc["summary"][key] == s[key],
                  f"cloudsql.gcloud.json.gz: {key} {gdoc['summary'][key]} (sink lines: {s[key]})")

        # Our PostgreSQL 15 run, wrapped.
        csv_doc = analyze(os.path.join(FIXTURES, "logs", "clinic.csv"), tmp)
        stderr_doc = analyze(os.path.join(FIXTURES, "logs", "clinic.stderr.log"), tmp)
        for name, fmt, source, ref in (("clinic.cnpg.json.gz", "cnpg", "pod clinic-1", csv_doc),
                                       ("clinic.cnpg.cri.log.gz", "cri", "pod clinic-1", csv_doc),
                                       ("clinic.cri.log.gz", "cri", None, stderr_doc),
                                       ("clinic.journald.json.gz", "journald", "unit postgresql@15-main.service",
                                        stderr_doc),
                                       ("clinic.journald.short-iso.log.gz", "syslog", None, stderr_doc),
                                       ("clinic.rfc5424.log.gz", "syslog", None, stderr_doc),
                                       ("clinic.cloudwatch.jsonl.gz", "cloudwatch", "log stream clinic-db", stderr_doc),
                                       ("clinic.cloudwatch.json.gz", "cloudwatch", "log stream clinic-db", stderr_doc),
                                       ("clinic.cloudwatch.firehose.gz", "cloudwatch", "rds clinic-db",
                                        stderr_doc)):
            doc = analyze(os.path.join(P, name), tmp)
            common(name, doc, fmt, source)
            for key in ("calls", "errors", "records", "first_seen", "last_seen", "total_duration_ms",
                        "distinct_fingerprints"):
                check(doc["summary"][key] == ref["summary"][key],
                      f"{name}: {key} {doc['summary'][key]} (unwrapped log: {ref['summary'][key]})")
            check(per_query(doc) == per_query(ref), f"{name}: calls per query as in the unwrapped log")
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
