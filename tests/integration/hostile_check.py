#!/usr/bin/env python3
"""Hostile input and line accounting, through the pgsift binary.

  hostile_check.py PGSIFT FIXTURES accounting
      Every fixture log (fixtures/logs, pgbadger, rules, hostile) through
      `pgsift analyze --json`: per input and in total, lines = lines in
      records + lines skipped, and lines skipped = the sum of the per-reason
      counts. Nothing is lost without a reason.

  hostile_check.py PGSIFT FIXTURES hostile
      fixtures/hostile/ (made by make_hostile.sh from the real logs), plus a
      100 MB single line made at test time: each gives the documented exit
      code, a diagnostic naming the file and line, and the rest of the input
      is still read. No crash, no sanitizer report (the ASan/UBSan build runs
      this same script), JSON output valid UTF-8.
"""
import json
import os
import re
import resource
import subprocess
import sys
import tempfile

pgsift, fixtures, mode = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:")


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def run(args, tmp):
    """Runs pgsift analyze; returns (exit code, stdout+stderr text, JSON or None)."""
    out = os.path.join(tmp, "out.json")
    if os.path.exists(out):
        os.remove(out)
    top = [] if "--top" in args else ["--top", "3"]
    p = subprocess.run([pgsift, "analyze"] + top + ["--json", out] + args,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
    text = p.stdout.decode("utf-8", errors="replace")
    check(p.returncode in (0, 1, 2), f"{args}: exit {p.returncode} (crash?)\n{text[-2000:]}")
    check(not SANITIZER.search(text), f"{args}: sanitizer report\n{text[-4000:]}")
    doc = None
    if os.path.exists(out):
        raw = open(out, "rb").read()
        try:
            doc = json.loads(raw.decode("utf-8"))  # strict: the JSON must be valid UTF-8
        except (UnicodeDecodeError, ValueError) as e:
            check(False, f"{args}: JSON report unreadable: {e}")
    return p.returncode, text, doc


def accounting(name, doc):
    """lines = in records + skipped, skipped = sum by reason; per input and total."""
    s = doc["summary"]
    total = {"lines": 0, "in": 0, "skipped": 0}
    for i in s["inputs"]:
        by_reason = sum(i["skipped_by_reason"].values())
        check(i["lines"] == i["lines_in_records"] + i["lines_skipped"],
              f"{name}: {i['lines']} lines != {i['lines_in_records']} in records + {i['lines_skipped']} skipped")
        check(i["lines_skipped"] == by_reason,
              f"{name}: {i['lines_skipped']} skipped != {by_reason} by reason {i['skipped_by_reason']}")
        total["lines"] += i["lines"]
        total["in"] += i["lines_in_records"]
        total["skipped"] += i["lines_skipped"]
    check(s["lines_total"] == total["lines"] and s["lines_in_records"] == total["in"] and
          s["lines_skipped"] == total["skipped"], f"{name}: summary totals differ from the inputs' sums")
    check(s["lines_total"] == s["lines_in_records"] + sum(s["skipped_by_reason"].values()),
          f"{name}: summary lines_total != lines_in_records + sum(skipped_by_reason)")


def fixture_logs():
    logs = []
    for sub in ("logs", "pgbadger", "hostile"):
        d = os.path.join(fixtures, sub)
        for f in sorted(os.listdir(d)):
            if f.endswith((".md", ".sh", ".prefix")):
                continue
            logs.append(os.path.join(d, f))
    rules = os.path.join(fixtures, "rules")
    for rule in sorted(os.listdir(rules)):
        d = os.path.join(rules, rule)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith((".log", ".csv")) or (f.endswith(".json") and rule.startswith("workload-")):
                logs.append(os.path.join(d, f))
    return logs


def run_accounting(tmp):
    logs = fixture_logs()
    skipped_somewhere = 0
    for path in logs:
        code, text, doc = run(["-q", path], tmp)
        name = os.path.relpath(path, fixtures)
        check(doc is not None, f"{name}: no JSON report (exit {code})\n{text[-1000:]}")
        if doc is None:
            continue
        accounting(name, doc)
        skipped_somewhere += doc["summary"]["lines_skipped"] > 0
    # All inputs at once (threads and pieces): the identity holds for the sum.
    code, text, doc = run(["-q", "--jobs", "2"] + logs, tmp)
    check(doc is not None and code == 0, f"all fixtures together: exit {code}")
    if doc:
        accounting("all fixtures together", doc)
        print(f"accounting: {len(logs)} fixture logs, {doc['summary']['lines_total']} lines, "
              f"{doc['summary']['lines_skipped']} skipped by reason {doc['summary']['skipped_by_reason']}")
    check(len(logs) >= 40, f"only {len(logs)} fixture logs found")
    check(skipped_somewhere >= 3, "no fixture exercises a skip reason")


def summary_input(doc):
    return doc["summary"]["inputs"][0]


def run_hostile(tmp):
    h = os.path.join(fixtures, "hostile")
    prefix = open(os.path.join(fixtures, "logs", "clinic.prefix")).read().rstrip("\n")
    f = lambda n: os.path.join(h, n)
    results = {}

    def case(name, args=None, exit_code=0):
        code, text, doc = run(args or [f(name)], tmp)
        check(code == exit_code, f"{name}: exit {code}, expected {exit_code}\n{text[-1500:]}")
        if doc:
            accounting(name, doc)
        results[name] = (text, doc)
        return text, doc

    base = {}
    for b in ("base.stderr.log", "base.csv", "base.json"):
        text, doc = case(b)
        check(doc["summary"]["lines_skipped"] == 0, f"{b}: the clean base has skipped lines")
        base[b] = doc
    bs = base["base.stderr.log"]["summary"]
    calls = lambda d: d["summary"]["calls"]

    text, doc = case("crlf.log")
    check(summary_input(doc)["records"] == summary_input(base["base.stderr.log"])["records"] and
          calls(doc) == bs["calls"] and doc["summary"]["lines_skipped"] == 0, "crlf.log: not read like the base")
    check(all("\r" not in q["normalized"] for q in doc["queries"]), "crlf.log: a CR left in a query text")

    text, doc = case("invalid_utf8.log")
    check(calls(doc) == bs["calls"], f"invalid_utf8.log: {calls(doc)} calls, base has {bs['calls']}")

    text, doc = case("nul_bytes.log")
    i = summary_input(doc)
    check(i["skipped_by_reason"].get("binary", 0) >= 2, f"nul_bytes.log: NUL lines not skipped as binary: {i}")
    check(re.search(r"nul_bytes\.log:\d+: NUL bytes", text), "nul_bytes.log: no file:line diagnostic")
    check(calls(doc) == bs["calls"] - 1, f"nul_bytes.log: {calls(doc)} calls, want the base's minus the NUL one")

    text, doc = case("mixed_prefixes.log", exit_code=2)
    check("could not infer log_line_prefix" in text and "pass --prefix" in text,
          "mixed_prefixes.log: no clear diagnostic without --prefix")
    other = sum(1 for _ in open(os.path.join(fixtures, "pgbadger", "begin_end.log"), "rb"))
    text, doc = case("mixed_prefixes.log --prefix", ["--prefix", prefix, f("mixed_prefixes.log")])
    i = summary_input(doc)
    check(i["skipped_by_reason"].get("prefix_mismatch", 0) == other,
          f"mixed_prefixes.log --prefix: {i['skipped_by_reason']}, want {other} prefix_mismatch")
    check(re.search(r"mixed_prefixes\.log:\d+: ", text), "mixed_prefixes.log --prefix: no file:line diagnostic")
    check(calls(doc) == bs["calls"], "mixed_prefixes.log --prefix: the clinic lines were not all read")

    text, doc = case("backwards.log")
    check(calls(doc) == bs["calls"] and doc["summary"]["first_seen"] == bs["first_seen"] and
          doc["summary"]["last_seen"] == bs["last_seen"], "backwards.log: not read like the base")

    text, doc = case("duplicated.log")
    check(summary_input(doc)["lines"] == summary_input(base["base.stderr.log"])["lines"] + 40,
          "duplicated.log: line count")
    check(calls(doc) >= bs["calls"], "duplicated.log: lost calls")

    text, doc = case("unterminated_quote.csv")
    i = summary_input(doc)
    check(i["skipped_by_reason"] == {"malformed_csv": 1}, f"unterminated_quote.csv: {i['skipped_by_reason']}")
    check(re.search(r"unterminated_quote\.csv:\d+: csvlog", text), "unterminated_quote.csv: no file:line diagnostic")
    check(i["records"] == summary_input(base["base.csv"])["records"] - 1, "unterminated_quote.csv: records lost")

    text, doc = case("cut_mid_object.json")
    i = summary_input(doc)
    check(i["skipped_by_reason"] == {"malformed_json": 2}, f"cut_mid_object.json: {i['skipped_by_reason']}")
    for line in (61, 200):
        check(f"cut_mid_object.json:{line}: jsonlog line is not valid JSON" in text,
              f"cut_mid_object.json: no diagnostic for line {line}")
    check(i["records"] == summary_input(base["base.json"])["records"] - 2, "cut_mid_object.json: records lost")

    text, doc = case("plan_cut.log")
    plans = open(f("plan_cut.log"), "rb").read().count(b"  plan:")
    check(doc["summary"]["events"]["plan"] == plans, f"plan_cut.log: {doc['summary']['events']} plans, want {plans}")

    for ext in ("gz", "bz2", "zst"):
        name = f"truncated.log.{ext}"
        text, doc = case(name)
        i = summary_input(doc)
        check(re.search(r"truncated after (\d+) bytes decoded from \d+ compressed bytes read.*stopped after line \d+",
                        i.get("error", ""), re.I),
              f"{name}: error does not say truncated, how much was decoded and where: {i.get('error')}")
        m = re.search(r"after (\d+) bytes decoded", i.get("error", ""))
        check(m and int(m.group(1)) > 0, f"{name}: nothing decoded before the cut? {i.get('error')}")
        check(i["records"] > 100, f"{name}: the part before the cut was not read ({i['records']} records)")

    # A cap on distinct shapes: later shapes share one counted overflow entry.
    text, doc = case("base.stderr.log --max-shapes 5", ["--max-shapes", "5", "-j", "1", f("base.stderr.log")])
    over = [q for q in doc["queries"] if q.get("overflow")]
    n = doc["summary"]["fingerprint_cache"]["overflow_statements"]
    check(len(over) == 1 and n > 0 and len(doc["queries"]) <= 6, f"--max-shapes 5: {len(doc['queries'])} entries")
    check(calls(doc) == bs["calls"], "--max-shapes 5: calls lost")
    check("raise --max-shapes" in text, "--max-shapes 5: no warning")
    # The table marks the overflow entry with its own marker and legend.
    table = subprocess.run([pgsift, "analyze", "--top", "1000", "--max-shapes", "5", "-j", "1", f("base.stderr.log")],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
    check(re.search(r"^ *\d+ .* 0{16}\+  ", table, re.M) and "\n+ overflow: " in table,
          f"--max-shapes 5: the table has no overflow marker and legend:\n{table[-1500:]}")

    # Generated at test time, never committed: a 100 MB single line.
    big = tempfile.mkdtemp(dir=tmp)
    subprocess.run(["bash", os.path.join(h, "make_hostile.sh"), "--large", big], check=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    text, doc = case("long_line.log", ["--top", "1000", os.path.join(big, "long_line.log")])
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    check(calls(doc) == bs["calls"] + 1, f"long_line.log: {calls(doc)} calls, want the base's + 1")
    long = [q for q in doc["queries"] if q.get("truncated")]
    check(len(long) == 1 and len(long[0]["normalized"]) <= 9 << 20,
          "long_line.log: the 100 MB statement is not fingerprinted from a truncated, marked form")
    check(doc["summary"]["fingerprint_cache"].get("truncated_statements") == 1,
          "long_line.log: truncated statements not counted")
    print(f"long_line.log: peak RSS of pgsift {rss // 1024 if rss > before else '?'} MiB")
    check(re.search(r"^ *\d+ .* [0-9a-f]{16}~  ", text, re.M) and "\n~ statement longer than 8 MiB" in text,
          f"long_line.log: the table has no truncated marker and legend:\n{text[-1500:]}")
    text, doc = case("one_line_garbage.log", [os.path.join(big, "one_line_garbage.log")], exit_code=2)
    check("is this a PostgreSQL log" in text, "one_line_garbage.log: no clear diagnostic")
    os.remove(os.path.join(big, "long_line.log"))
    os.remove(os.path.join(big, "one_line_garbage.log"))
    print(f"hostile: {len(results)} cases")


with tempfile.TemporaryDirectory(prefix="pgsift-hostile.") as tmp:
    {"accounting": run_accounting, "hostile": run_hostile}[mode](tmp)
if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("ok")
