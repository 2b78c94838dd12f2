#!/usr/bin/env python3
"""Generates analyzer/input/messages_i18n.inc: the translations of the server
messages pgsift reads, taken from PostgreSQL's own gettext catalogs.

Usage (regenerate after a PostgreSQL package upgrade or to add a version):
    tools/lang/make_messages.py [--mo-glob '/usr/share/locale/*/LC_MESSAGES/postgres-15.mo'] \
        > analyzer/input/messages_i18n.inc

The .mo files are installed by Debian's postgresql-NN package. Each catalog is
read with the small .mo parser below (GNU gettext binary format); no
translation is typed by hand. Several --mo-glob may be given (several server
versions); identical entries are merged.
"""
import argparse
import glob
import os
import re
import struct
import sys

# Severity words as error_severity() returns them (stderr writes "%s:  "),
# and the attachment tags elog.c translates whole ("DETAIL:  ").
SEVERITIES = ["LOG", "ERROR", "FATAL", "PANIC", "WARNING", "NOTICE", "INFO", "DEBUG"]
TAGS = ["DETAIL:  ", "HINT:  ", "STATEMENT:  ", "CONTEXT:  ", "QUERY:  "]
LOCATION = ["LOCATION:  %s:%d\n", "LOCATION:  %s, %s:%d\n"]
UNKNOWN = "[unknown]"

# Messages the assembler classifies (analyzer/input/assembler.cpp), as the
# msgids of PostgreSQL's sources.
MESSAGES = [
    "duration: %s ms",
    "duration: %s ms  statement: %s",
    "statement: %s",
    "duration: %s ms  parse %s: %s",
    "duration: %s ms  bind %s%s%s: %s",
    "parameters: %s",
    "connection received: host=%s port=%s",
    "connection received: host=%s",
    "connection authorized: user=%s",
    "disconnection: session time: %d:%02d:%02d.%03d user=%s database=%s host=%s%s%s",
    "checkpoint starting:%s%s%s%s%s%s%s%s",
    "restartpoint starting:%s%s%s%s%s%s%s%s",
    "checkpoint complete: wrote %d buffers (%.1f%%); %d WAL file(s) added, %d removed, %d recycled; "
    "write=%ld.%03d s, sync=%ld.%03d s, total=%ld.%03d s; sync files=%d, longest=%ld.%03d s, "
    "average=%ld.%03d s; distance=%d kB, estimate=%d kB",
    "restartpoint complete: wrote %d buffers (%.1f%%); %d WAL file(s) added, %d removed, %d recycled; "
    "write=%ld.%03d s, sync=%ld.%03d s, total=%ld.%03d s; sync files=%d, longest=%ld.%03d s, "
    "average=%ld.%03d s; distance=%d kB, estimate=%d kB",
    'automatic vacuum of table "%s.%s.%s": index scans: %d\n',
    'automatic aggressive vacuum of table "%s.%s.%s": index scans: %d\n',
    'automatic vacuum to prevent wraparound of table "%s.%s.%s": index scans: %d\n',
    'automatic aggressive vacuum to prevent wraparound of table "%s.%s.%s": index scans: %d\n',
    'automatic analyze of table "%s.%s.%s"\n',
    'temporary file: path "%s", size %lu',
    "process %d still waiting for %s on %s after %ld.%03d ms",
    "deadlock detected",
]
# Messages whose verb is itself translated (postgres.c passes _("execute") or
# _("execute fetch from") as the first argument after the duration): one
# pattern per verb, with the verb written in.
VERB_MESSAGES = [("duration: %s ms  %s %s%s%s: %s", 1), ("%s %s%s%s: %s", 0)]
VERBS = ["execute", "execute fetch from"]

DIGITS = "123456789abcdefghijklmnopqrstuvwxyz"
SPEC = re.compile(r"%(?:(\d+)\$)?[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|z)?[sdiuxXfegc]|%%")


def read_mo(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    e = "<" if magic == 0x950412DE else ">"
    _, n, orig, trans = struct.unpack(e + "4I", data[4:20])
    out = {}
    for i in range(n):
        ln, off = struct.unpack(e + "2I", data[orig + 8 * i : orig + 8 * i + 8])
        key = data[off : off + ln].split(b"\0")[0].decode("utf-8")
        ln, off = struct.unpack(e + "2I", data[trans + 8 * i : trans + 8 * i + 8])
        out[key] = data[off : off + ln].split(b"\0")[0].decode("utf-8")
    return out


def parse(fmt):
    """[('lit', text) | ('arg', index)] with positional %n$ resolved."""
    parts, pos, nxt = [], 0, 0
    for m in SPEC.finditer(fmt):
        if m.start() > pos:
            parts.append(("lit", fmt[pos : m.start()]))
        if m.group(0) == "%%":
            parts.append(("lit", "%"))
        else:
            idx = int(m.group(1)) - 1 if m.group(1) else nxt
            nxt = idx + 1
            parts.append(("arg", idx))
        pos = m.end()
    if pos < len(fmt):
        parts.append(("lit", fmt[pos:]))
    merged = []
    for p in parts:
        if merged and p[0] == "lit" and merged[-1][0] == "lit":
            merged[-1] = ("lit", merged[-1][1] + p[1])
        else:
            merged.append(p)
    return merged


def substitute(parts, index, text):
    out = []
    for kind, v in parts:
        if kind == "arg" and v == index:
            kind, v = "lit", text
        elif kind == "arg" and v > index:
            v -= 1
        if out and kind == "lit" and out[-1][0] == "lit":
            out[-1] = ("lit", out[-1][1] + v)
        else:
            out.append((kind, v))
    return out


def groups(parts):
    """Runs of adjacent arguments as tuples of indexes."""
    out = []
    for kind, v in parts:
        if kind == "arg" and out and out[-1][0] == "args":
            out[-1] = ("args", out[-1][1] + (v,))
        elif kind == "arg":
            out.append(("args", (v,)))
        else:
            out.append((kind, v))
    return out


def encode(eng_parts, tr_parts):
    """Both sides as text with %1..%9, %a..%z for argument groups, '%%' for '%'; None
    when a translation splits or reorders a run of adjacent arguments."""
    eg, tg = groups(eng_parts), groups(tr_parts)
    eruns = [v for k, v in eg if k == "args"]
    truns = [v for k, v in tg if k == "args"]
    if sorted(eruns) != sorted(truns) or len(eruns) > len(DIGITS):
        return None
    number = {run: i + 1 for i, run in enumerate(eruns)}

    def text(g):
        return "".join(v.replace("%", "%%") if k == "lit" else "%" + DIGITS[number[v] - 1] for k, v in g)

    return text(eg), text(tg)


def c_string(s):
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20:
            out.append("\\%03o" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mo-glob", action="append")
    args = ap.parse_args()
    globs = args.mo_glob or ["/usr/share/locale/*/LC_MESSAGES/postgres-15.mo"]
    files = sorted(f for g in globs for f in glob.glob(g))
    if not files:
        sys.exit("no catalog matches " + " ".join(globs))
    severity, unknown, messages, notes = [], [], [], []
    langs = []
    for path in files:
        lang = path.split(os.sep)[-3]
        version = os.path.basename(path)[len("postgres-") : -len(".mo")]
        cat = read_mo(path)
        if lang not in langs:
            langs.append(lang)
        missing = skipped = 0
        for w in SEVERITIES:
            if w in cat and cat[w] != w:
                severity.append((lang, w, cat[w]))
        for t in TAGS:
            tr = cat.get(t)
            if tr is None or not tr.endswith(":  "):
                missing += 1
                continue
            if tr != t:
                severity.append((lang, t[:-3], tr[:-3]))
        for t in LOCATION:
            tr = cat.get(t)
            if tr and ":  " in tr and tr.split(":  ")[0] != "LOCATION":
                severity.append((lang, "LOCATION", tr.split(":  ")[0]))
                break
        if cat.get(UNKNOWN, UNKNOWN) != UNKNOWN:
            unknown.append((lang, cat[UNKNOWN]))
        todo = [(m, parse(m), parse(cat[m])) for m in MESSAGES if m in cat]
        missing += sum(1 for m in MESSAGES if m not in cat)
        for m, at in VERB_MESSAGES:
            if m not in cat:
                missing += 1
                continue
            for verb in VERBS:
                if verb not in cat:
                    missing += 1
                    continue
                todo.append((m, substitute(parse(m), at, verb), substitute(parse(cat[m]), at, cat[verb])))
        for m, ep, tp in todo:
            enc = encode(ep, tp)
            if enc is None:
                skipped += 1
                continue
            if enc[0] != enc[1]:
                messages.append((lang, enc[0], enc[1]))
        notes.append("%s (PostgreSQL %s): %d msgids not in the catalog, %d skipped (argument runs reordered)"
                     % (lang, version, missing, skipped))

    def dedup(rows):
        seen, out = set(), []
        for r in rows:
            if r not in seen:
                seen.add(r)
                out.append(r)
        return out

    p = print
    p("// Generated by tools/lang/make_messages.py from PostgreSQL's translation")
    p("// catalogs; do not edit. Regenerate with:")
    p("//   tools/lang/make_messages.py --mo-glob '/usr/share/locale/*/LC_MESSAGES/postgres-15.mo'")
    p("//     > analyzer/input/messages_i18n.inc   (one command line)")
    p("// Catalogs: " + ", ".join(os.path.relpath(f, "/usr/share/locale") for f in files))
    for n in notes:
        p("//   " + n)
    p("// clang-format off")
    p("static constexpr const char* kI18nLanguages[] = {" + ", ".join(c_string(l) for l in langs) + "};")
    p("// {language, English severity or tag, translation}")
    p("static constexpr I18nWord kI18nSeverities[] = {")
    for lang, e, t in dedup(severity):
        p("    {%s, %s, %s}," % (c_string(lang), c_string(e), c_string(t)))
    p("};")
    p("// {language, \"[unknown]\", translation}")
    p("static constexpr I18nWord kI18nUnknown[] = {")
    for lang, t in dedup(unknown):
        p("    {%s, %s, %s}," % (c_string(lang), c_string(UNKNOWN), c_string(t)))
    p("};")
    p("// {language, English message, translation}: %1..%9, %a..%z stand for an argument")
    p("// (or a run of adjacent arguments), %% for a '%'.")
    p("static constexpr I18nWord kI18nMessages[] = {")
    for lang, e, t in dedup(messages):
        p("    {%s, %s, %s}," % (c_string(lang), c_string(e), c_string(t)))
    p("};")
    p("// clang-format on")


if __name__ == "__main__":
    main()
