#!/usr/bin/env python3
"""Generates analyzer/input/messages_i18n.inc: the translations of the server
messages pgsift reads, taken from PostgreSQL's own gettext catalogs.

    tools/lang/make_messages.py extract --major N --source TEXT (--git REPO:REF | --mo-glob GLOB)
        writes the entries pgsift reads of major N's backend catalogs to
        fixtures/lang/catalogs/pgN/LANG.po (tools/lang/extract_catalogs.sh runs
        it for every major);
    tools/lang/make_messages.py generate > analyzer/input/messages_i18n.inc
        merges every major's excerpts into the table.

The catalogs are read with the small .po and .mo parsers below; no
translation is typed by hand. A row is one (language, English message,
translation); the majors whose catalog holds it are noted after it.
"""
import argparse
import glob
import os
import re
import struct
import subprocess
import sys

CATALOGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "lang", "catalogs")

# Severity words as error_severity() returns them (stderr writes "%s:  "),
# and the attachment tags elog.c translates whole ("DETAIL:  ").
SEVERITIES = ["LOG", "ERROR", "FATAL", "PANIC", "WARNING", "NOTICE", "INFO", "DEBUG"]
TAGS = ["DETAIL:  ", "HINT:  ", "STATEMENT:  ", "CONTEXT:  ", "QUERY:  "]
LOCATION = ["LOCATION:  %s:%d\n", "LOCATION:  %s, %s:%d\n"]
UNKNOWN = "[unknown]"

# Messages the assembler classifies (analyzer/input/assembler.cpp), as the
# msgids of PostgreSQL's sources; a msgid that changed between majors is
# listed in each of its forms (a catalog holds those of its own major).
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
    # 10-13: the whole line is one message.
    "connection authorized: user=%s database=%s",
    "connection authorized: user=%s database=%s application_name=%s",
    "connection authorized: user=%s database=%s SSL enabled (protocol=%s, cipher=%s, compression=%s)",
    "connection authorized: user=%s database=%s SSL enabled (protocol=%s, cipher=%s, bits=%d, compression=%s)",
    "connection authorized: user=%s database=%s application_name=%s SSL enabled (protocol=%s, cipher=%s, bits=%d, "
    "compression=%s)",
    "disconnection: session time: %d:%02d:%02d.%03d user=%s database=%s host=%s%s%s",
    "checkpoint starting:%s%s%s%s%s%s%s%s",
    "restartpoint starting:%s%s%s%s%s%s%s%s",
    # 14-16, 17 (lsn), 18 (SLRU buffers).
    "checkpoint complete: wrote %d buffers (%.1f%%); %d WAL file(s) added, %d removed, %d recycled; "
    "write=%ld.%03d s, sync=%ld.%03d s, total=%ld.%03d s; sync files=%d, longest=%ld.%03d s, "
    "average=%ld.%03d s; distance=%d kB, estimate=%d kB",
    "restartpoint complete: wrote %d buffers (%.1f%%); %d WAL file(s) added, %d removed, %d recycled; "
    "write=%ld.%03d s, sync=%ld.%03d s, total=%ld.%03d s; sync files=%d, longest=%ld.%03d s, "
    "average=%ld.%03d s; distance=%d kB, estimate=%d kB",
    "checkpoint complete: wrote %d buffers (%.1f%%); %d WAL file(s) added, %d removed, %d recycled; "
    "write=%ld.%03d s, sync=%ld.%03d s, total=%ld.%03d s; sync files=%d, longest=%ld.%03d s, "
    "average=%ld.%03d s; distance=%d kB, estimate=%d kB; lsn=%X/%X, redo lsn=%X/%X",
    "restartpoint complete: wrote %d buffers (%.1f%%); %d WAL file(s) added, %d removed, %d recycled; "
    "write=%ld.%03d s, sync=%ld.%03d s, total=%ld.%03d s; sync files=%d, longest=%ld.%03d s, "
    "average=%ld.%03d s; distance=%d kB, estimate=%d kB; lsn=%X/%X, redo lsn=%X/%X",
    "checkpoint complete: wrote %d buffers (%.1f%%), wrote %d SLRU buffers; %d WAL file(s) added, %d removed, "
    "%d recycled; write=%ld.%03d s, sync=%ld.%03d s, total=%ld.%03d s; sync files=%d, longest=%ld.%03d s, "
    "average=%ld.%03d s; distance=%d kB, estimate=%d kB; lsn=%X/%X, redo lsn=%X/%X",
    "restartpoint complete: wrote %d buffers (%.1f%%), wrote %d SLRU buffers; %d WAL file(s) added, %d removed, "
    "%d recycled; write=%ld.%03d s, sync=%ld.%03d s, total=%ld.%03d s; sync files=%d, longest=%ld.%03d s, "
    "average=%ld.%03d s; distance=%d kB, estimate=%d kB; lsn=%X/%X, redo lsn=%X/%X",
    'automatic vacuum of table "%s.%s.%s": index scans: %d\n',
    'automatic aggressive vacuum of table "%s.%s.%s": index scans: %d\n',
    'automatic vacuum to prevent wraparound of table "%s.%s.%s": index scans: %d\n',
    'automatic aggressive vacuum to prevent wraparound of table "%s.%s.%s": index scans: %d\n',
    'automatic analyze of table "%s.%s.%s"\n',
    # 10-13: the usage is an argument of the same message.
    'automatic analyze of table "%s.%s.%s" system usage: %s',
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


def po_unquote(s):
    """The text of a "..." line of a .po file (C escapes)."""
    out, i = [], 1
    while i < len(s) - 1:
        if s[i] == "\\" and i + 1 < len(s) - 1:
            i += 1
            out.append({"n": "\n", "t": "\t", "r": "\r"}.get(s[i], s[i]))
        else:
            out.append(s[i])
        i += 1
    return "".join(out)


def read_po(text):
    """{msgid: msgstr} of a .po file: singular entries, fuzzy ones and empty
    translations as "" (gettext does not use them), obsolete ones left out."""
    out, cur, field, fuzzy = {}, None, None, False
    for line in text.split("\n") + ["msgid \"(end)\""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            if cur is not None and cur[0] is not None:
                out[cur[0]] = "" if cur[2] else cur[1]
            cur, field = [po_unquote(line[6:]), "", fuzzy], 0
            fuzzy = False
        elif line.startswith("msgstr ") and cur is not None:
            cur[1], field = po_unquote(line[7:]), 1
        elif line.startswith('"') and cur is not None and field is not None:
            cur[field] += po_unquote(line)
        elif line.startswith("msgid_plural") or line.startswith("msgstr["):
            field = None
            if cur is not None:
                cur[0] = None
    return out


def po_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


WANTED = set(MESSAGES + [m for m, _ in VERB_MESSAGES] + VERBS + SEVERITIES + TAGS + LOCATION + [UNKNOWN])


def git_show(repo, ref, path):
    r = subprocess.run(["git", "-C", repo, "show", ref + ":" + path], capture_output=True)
    return r.stdout.decode("utf-8") if r.returncode == 0 else None


def extract(args):
    """Writes the entries pgsift reads of one major's backend catalogs to
    OUT/pgMAJOR/LANG.po, from a PostgreSQL source tree in git
    (src/backend/po/*.po of the languages the build installs) or from .mo files."""
    catalogs = {}
    if args.git:
        repo, ref = args.git.rsplit(":", 1)
        linguas = git_show(repo, ref, "src/backend/po/LINGUAS")
        if linguas is None:
            nls = git_show(repo, ref, "src/backend/nls.mk") or ""
            m = re.search(r"^AVAIL_LANGUAGES\s*=(.*)$", nls, re.M)
            linguas = m.group(1) if m else ""
        for lang in linguas.split():
            text = git_show(repo, ref, "src/backend/po/%s.po" % lang)
            if text is not None:
                catalogs[lang] = read_po(text)
    else:
        for path in sorted(glob.glob(args.mo_glob)):
            catalogs[path.split(os.sep)[-3]] = read_mo(path)
    if not catalogs:
        sys.exit("no catalog found in " + (args.git or args.mo_glob))
    folder = os.path.join(args.out, "pg%d" % args.major)
    os.makedirs(folder, exist_ok=True)
    for lang, cat in sorted(catalogs.items()):
        with open(os.path.join(folder, lang + ".po"), "w", encoding="utf-8") as f:
            f.write("# PostgreSQL %d backend catalog (%s), language %s: only the entries\n" % (args.major, args.source, lang))
            f.write("# pgsift reads. Written by tools/lang/make_messages.py extract; do not edit.\n")
            for line in cat.get("", "").split("\n"):
                if line.startswith(("Last-Translator:", "Language-Team:", "Project-Id-Version:")):
                    f.write("# " + line + "\n")
            for msgid in sorted(k for k in cat if k in WANTED):
                f.write("\nmsgid %s\nmsgstr %s\n" % (po_quote(msgid), po_quote(cat[msgid])))


def majors_text(majors):
    """[10, 11, 12, 15] -> "10-12,15"."""
    out, run = [], []
    for m in sorted(majors):
        if run and m != run[-1] + 1:
            out.append(run)
            run = []
        run.append(m)
    if run:
        out.append(run)
    return ",".join(str(r[0]) if len(r) == 1 else "%d-%d" % (r[0], r[-1]) for r in out)


def translate_catalog(lang, cat):
    """(severity rows, tight tag rows, unknown rows, message rows, skipped) of one catalog."""
    severity, tight, unknown, messages = [], [], [], []
    skipped = 0
    for w in SEVERITIES:
        if cat.get(w) and cat[w] != w:
            severity.append((lang, w, cat[w]))
    for t in TAGS:
        tr = cat.get(t)
        if not tr or not tr.rstrip(" ").endswith(":") or tr == t:
            continue
        word = tr.rstrip(" ")[:-1]
        severity.append((lang, t[:-3], word))
        if tr.endswith(":"):  # the server writes the text right after the ':' ("AYRINTI:Key ...")
            tight.append((lang, t[:-3], word))
    for t in LOCATION:
        tr = cat.get(t)
        if tr and ":  " in tr and tr.split(":  ")[0] != "LOCATION":
            severity.append((lang, "LOCATION", tr.split(":  ")[0]))
            break
    if cat.get(UNKNOWN, UNKNOWN) not in ("", UNKNOWN):
        unknown.append((lang, UNKNOWN, cat[UNKNOWN]))
    todo = [(parse(m), parse(cat[m])) for m in MESSAGES if cat.get(m)]
    for m, at in VERB_MESSAGES:
        for verb in VERBS:
            if cat.get(m) and cat.get(verb):
                todo.append((substitute(parse(m), at, verb), substitute(parse(cat[m]), at, cat[verb])))
    for ep, tp in todo:
        enc = encode(ep, tp)
        if enc is None:
            skipped += 1
        elif enc[0] != enc[1]:
            messages.append((lang, enc[0], enc[1]))
    return severity, tight, unknown, messages, skipped


def generate(args):
    folders = sorted(glob.glob(os.path.join(args.catalogs, "pg*")), key=lambda d: int(os.path.basename(d)[2:]))
    if not folders:
        sys.exit("no catalog folder in " + args.catalogs)
    rows = {"severity": {}, "tight": {}, "unknown": {}, "messages": {}}
    langs, notes = set(), {}
    for folder in folders:
        major = int(os.path.basename(folder)[2:])
        cats = {}
        for path in sorted(glob.glob(os.path.join(folder, "*.po"))):
            with open(path, encoding="utf-8") as f:
                cats[os.path.basename(path)[:-3]] = read_po(f.read())
        for lang, cat in cats.items():
            severity, tight, unknown, messages, skipped = translate_catalog(lang, cat)
            if not (severity or unknown or messages):
                continue
            langs.add(lang)
            for table, found in (("severity", severity), ("tight", tight), ("unknown", unknown),
                                 ("messages", messages)):
                for r in found:
                    rows[table].setdefault(r, []).append(major)
            notes.setdefault(lang, []).append("%d (%d%s)" % (major, len(messages), ", %d skipped" % skipped if skipped else ""))
    langs = sorted(langs)

    out = []
    p = out.append
    p("// Generated by tools/lang/make_messages.py from PostgreSQL's translation")
    p("// catalogs (fixtures/lang/catalogs/, see SOURCES.md there); do not edit. Regenerate with:")
    p("//   tools/lang/make_messages.py generate > analyzer/input/messages_i18n.inc")
    p("// Languages and the majors of their catalogs (in parentheses: the messages translated, and")
    p("// those skipped because the translation splits or reorders a run of adjacent arguments):")
    for lang in langs:
        p("//   %s: %s" % (lang, ", ".join(notes[lang])))
    p("// Each row ends with the majors whose catalog has it.")
    p("// clang-format off")
    p("static constexpr const char* kI18nLanguages[] = {" + ", ".join(c_string(l) for l in langs) + "};")
    for table, name, what in (("severity", "kI18nSeverities", "English severity or tag"),
                              ("tight", "kI18nTightTags", "English tag"),
                              ("unknown", "kI18nUnknown", '\"[unknown]\"'),
                              ("messages", "kI18nMessages", "English message")):
        if table == "tight":
            p("// Tags whose translation has no space after the ':' (\"AYRINTI:Key ...\").")
        p("// {language, %s, translation}" % what)
        if table == "messages":
            p("// %1..%9, %a..%z stand for an argument (or a run of adjacent arguments), %% for a '%'.")
        p("static constexpr I18nWord %s[] = {" % name)
        for (lang, e, t), majors in rows[table].items():
            p("    {%s, %s, %s},  // %s" % (c_string(lang), c_string(e), c_string(t), majors_text(majors)))
        p("};")
    p("// clang-format on")
    text = "\n".join(out) + "\n"
    if args.check:
        with open(args.check, encoding="utf-8") as f:
            if f.read() != text:
                sys.exit("%s is not what the catalogs give; regenerate it: tools/lang/make_messages.py generate > %s"
                         % (args.check, args.check))
    else:
        sys.stdout.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="write one major's entries to CATALOGS/pgMAJOR/LANG.po")
    ex.add_argument("--major", type=int, required=True)
    ex.add_argument("--source", required=True, help="where the catalogs come from, for the file header")
    src = ex.add_mutually_exclusive_group(required=True)
    src.add_argument("--git", help="REPO:REF of a PostgreSQL source tree")
    src.add_argument("--mo-glob", help="e.g. '/usr/share/locale/*/LC_MESSAGES/postgres-15.mo'")
    ex.add_argument("--out", default=CATALOGS)
    gen = sub.add_parser("generate", help="write the table to stdout")
    gen.add_argument("--catalogs", default=CATALOGS)
    gen.add_argument("--check", metavar="INC", help="only compare with INC (exit 1 when it differs)")
    args = ap.parse_args()
    extract(args) if args.command == "extract" else generate(args)


if __name__ == "__main__":
    main()
