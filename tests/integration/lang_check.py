#!/usr/bin/env python3
"""The same workload logged with lc_messages = C and in other languages
(fixtures/lang/make_lang_logs.sh) must read the same in every language and
in stderr, csvlog and jsonlog alike.

usage: lang_check.py PGSIFT DIR NAME...   (NAME: C, ja_JP, de_DE, ...; C first)

Checks, for every NAME and format:
- no line skipped; every event kind but "other" counted as in the C run
  (queries, prepares, errors per SQLSTATE, connections, disconnections,
  checkpoints, autovacuum, autoanalyze, temp files, lock waits), per
  fingerprint calls/errors/prepares/temp files, users, applications, and
  the N+1 findings;
- the durations: pgsift's total and count of timed statements equal what
  this script sums from the jsonlog messages, read with Python's gettext
  from the server's own catalog (not with pgsift's table);
- autovacuum/autoanalyze equal what the server counted (NAME.truth);
- stderr, csvlog and jsonlog of one run give identical figures, durations
  included;
- the detected languages (summary "messages"): the run's language and ja
  (each run ends with one session in Japanese), and English only where the
  server wrote English messages;
- no literal of the workload in any output.
"""
import gettext
import json
import os
import re
import subprocess
import sys
import tempfile

FORMATS = ["stderr.log", "csv", "json"]
CANARIES = ["canary-7d1f", "山田太郎", "Иван"]
failures = 0
checks = 0


def check(ok, what):
    global failures, checks
    checks += 1
    if not ok:
        failures += 1
        print("FAIL: " + what)
    return ok


def analyze(pgsift, path, prefix, out):
    extra = ["--prefix", prefix] if path.endswith(".log") else []
    subprocess.run([pgsift, "analyze", path, *extra, "--json", out, "-q"], check=True)
    with open(out, encoding="utf-8", errors="replace") as f:
        raw = f.read()
    for c in CANARIES:
        check(c not in raw, f"{path}: literal {c!r} in the JSON output")
    text = subprocess.run([pgsift, "analyze", path, *extra], capture_output=True, check=True).stdout.decode("utf-8", "replace")
    for c in CANARIES:
        check(c not in text, f"{path}: literal {c!r} in the text output")
    return json.loads(raw), text


def counts(report):
    """What must be the same in every language (no timing)."""
    s = report["summary"]
    events = {k: v for k, v in s["events"].items() if k != "other"}
    # FATAL 57P01 ("terminating ... due to administrator command") is logged
    # when a session or an autovacuum worker is still running as the server
    # stops: a matter of timing, not of language (seen on a loaded CI run).
    shutdown = s["errors_by_sqlstate"].get("57P01", 0)
    errors_by_sqlstate = {k: v for k, v in s["errors_by_sqlstate"].items() if k != "57P01"}
    events["error"] = events.get("error", 0) - shutdown
    by = {k: {n: b["calls"] for n, b in s[k].items()} for k in ("by_database", "by_user", "by_application")}
    queries = sorted(
        (q["fingerprint"], q["normalized"], q["calls"], q["calls_with_duration"], q["errors_by_sqlstate"],
         q["prepares"], q["temp_files"], sorted((n, b["calls"]) for n, b in q["by_user"].items()))
        for q in report["queries"])
    findings = sorted((f["rule"], f.get("fingerprint", ""), json.dumps(f.get("evidence", {}), sort_keys=True)
                       if "evidence" in f and not isinstance(f["evidence"], str) else "")
                      for f in report["findings"] if f["rule"] != "log-only-sample")
    n_plus_one = [f for f in findings if "n-plus-one" in f[0] or "n_plus_one" in f[0]]
    return {"calls": s["calls"], "distinct_fingerprints": s["distinct_fingerprints"], "errors": s["errors"] - shutdown,
            "errors_by_sqlstate": errors_by_sqlstate, "events": events, "temp_files": s["temp_files"],
            "durations_without_statement": s["durations_without_statement"], **by, "queries": queries,
            "findings": [f[:2] for f in findings], "n_plus_one": len(n_plus_one)}


def show_difference(a, b):
    """What differs between two counts(): per key, the entries only in one."""
    for k in a:
        if a[k] == b[k]:
            continue
        if isinstance(a[k], list):
            only_a = [x for x in a[k] if x not in b[k]]
            only_b = [x for x in b[k] if x not in a[k]]
            print(f"  {k}: only here {str(only_a)[:800]}\n   only there {str(only_b)[:800]}")
        else:
            print(f"  {k}: {str(a[k])[:600]}\n   != {str(b[k])[:600]}")


def timed(report):
    """Per run: identical across formats, durations included."""
    s = report["summary"]
    return {"total_duration_ms": s["total_duration_ms"], "first_seen": s["first_seen"], "last_seen": s["last_seen"],
            "queries": sorted((q["fingerprint"], q["total_ms"], q["max_ms"]) for q in report["queries"])}


def catalog(lang):
    if lang == "C":
        return gettext.NullTranslations()
    return gettext.translation("postgres-15", "/usr/share/locale", [lang.split(".")[0], lang.split("_")[0]])


def pattern(fmt, rest=True):
    """A regex for a printf-style message; the duration is group 'ms'."""
    out, first = [], True
    for part in re.split(r"(%[-0-9.]*l?[sd])", fmt):
        if re.fullmatch(r"%[-0-9.]*l?[sd]", part):
            out.append(r"(?P<ms>[0-9.]+)" if first else r".*?")
            first = False
        else:
            out.append(re.escape(part))
    return re.compile("".join(out) + (r"(?s:.*)\Z" if rest else r"\s*\Z"))


def truth_durations(json_path, langs):
    """Timed statements and executes, and bare durations (each follows its
    session's "statement:" line here), read with gettext: (count, total ms)."""
    pats = []
    for lang in langs:
        t = catalog(lang)
        pats.append(pattern(t.gettext("duration: %s ms  statement: %s")))
        for verb in ("execute", "execute fetch from"):
            fmt = t.gettext("duration: %s ms  %s %s%s%s: %s")
            # the verb is the second argument, itself translated
            pieces = re.split(r"(%[sd])", fmt)
            k = [i for i, p in enumerate(pieces) if p in ("%s", "%d")][1]
            pieces[k] = t.gettext(verb).replace("%", "%%")
            pats.append(pattern("".join(pieces)))
        # log_duration alone: pgsift pairs it with the session's statement
        pats.append(pattern(t.gettext("duration: %s ms"), rest=False))
    n, total = 0, 0.0
    # errors="replace": a server may cut a translated message inside a
    # character (ka: the autovacuum "CPU:" line).
    with open(json_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            msg = json.loads(line).get("message", "")
            for p in pats:
                m = p.match(msg)
                if m:
                    n += 1
                    total += float(m.group("ms"))
                    break
    return n, round(total, 3)


def main():
    pgsift, directory, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(os.path.join(directory, "prefix"), encoding="utf-8") as f:
        prefix = f.read()
    base = None
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            views = {}
            for fmt in FORMATS:
                path = os.path.join(directory, f"{name}.{fmt}")
                report, text = analyze(pgsift, path, prefix, os.path.join(tmp, f"{name}.{fmt}.json"))
                s = report["summary"]
                views[fmt] = (counts(report), timed(report), s)
                check(s["lines_skipped"] == 0, f"{path}: {s['lines_skipped']} lines skipped")
                check(s["calls"] > 0, f"{path}: no calls")
                langs = s.get("messages", [])
                lang = "en" if name == "C" else name if name == "zh_CN" else name.split("_")[0]
                check(lang in langs and "ja" in langs, f"{path}: messages {langs}, expected {lang} and ja")
                if name in ("C", "ja_JP"):
                    want = ["en", "ja"] if name == "C" else ["ja"]
                    check(langs == want, f"{path}: messages {langs}, expected {want}")
                else:
                    # English too where the catalog lacks a translation (zh_CN)
                    check(set(langs) - {"en"} == {lang, "ja"}, f"{path}: messages {langs}, expected {lang} and ja")
                check("messages: " in text, f"{path}: the summary line does not name the languages")
                with open(os.path.join(directory, f"{name}.truth")) as f:
                    vac, ana = (int(x) for x in f.read().split())
                ev = s["events"]
                check(ev["autovacuum"] == vac and ev["autoanalyze"] == ana,
                      f"{path}: autovacuum {ev['autovacuum']}/{ev['autoanalyze']}, server counted {vac}/{ana}")
                for kind in ("query", "prepare", "connection", "disconnection", "checkpoint", "temp_file",
                             "lock_wait"):
                    check(ev[kind] > 0, f"{path}: no {kind} events")
            n, total = truth_durations(os.path.join(directory, f"{name}.json"),
                                       ["C", "ja_JP"] + ([] if name in ("C", "ja_JP") else [name]))
            for fmt in FORMATS:
                c, t, s = views[fmt]
                timed_calls = sum(q[3] for q in c["queries"])
                check(timed_calls == n and abs(s["total_duration_ms"] - total) < 0.0015,
                      f"{name}.{fmt}: {timed_calls} timed calls, {s['total_duration_ms']} ms; "
                      f"the log says {n} and {total} ms")
                if not check(c == views["json"][0], f"{name}.{fmt}: counts differ from {name}.json"):
                    show_difference(c, views["json"][0])
                check(t == views["json"][1], f"{name}.{fmt}: durations differ from {name}.json")
            c = views["json"][0]
            check(c["n_plus_one"] > 0 or any("plus" in r for r, _ in c["findings"]),
                  f"{name}: no N+1 finding ({[r for r, _ in c['findings']]})")
            if base is None:
                base = c
            else:
                same = check(c == base, f"{name}: counts differ from {names[0]}")
                if not same:
                    show_difference(c, base)
            print(f"{name}: {c['calls']} calls, {c['errors_by_sqlstate']}, events {c['events']}, "
                  f"{n} timed ({total} ms), messages {views['json'][2].get('messages')}")
    print(f"{checks - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
