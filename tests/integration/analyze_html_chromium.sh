#!/usr/bin/env bash
# `pgsift analyze --html` in headless Chromium, on the real PG15 log of
# fixtures/logs: no console errors (a script the page's CSP hash does not
# allow, or any network fetch, logs one), every section present, every chart
# drawn, the table sorted by the script (#sort=calls runs the header's click
# handler), and with JavaScript off the same content, complete. Writes the
# screenshot to BUILD_DIR/analyze_html.png.
# usage: analyze_html_chromium.sh PGSIFT FIXTURES BUILD_DIR
set -euo pipefail
pgsift=$1
fixtures=$2
shots=$3
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "chromium not found (ci/setup installs it)" >&2; exit 1; }
out=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-analyze-html.XXXXXX")
trap 'rm -rf "$out"' EXIT
"$pgsift" analyze -q "$fixtures/logs/clinic.stderr.log" --html "$out/report.html"
flags=(--headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$out/profile"
       --enable-logging=stderr --v=0 --window-size=1280,3000)
url="file://$out/report.html"
run() {  # run NAME ARGS...: chromium with the common flags, its log in NAME.log
  local name=$1
  shift
  timeout 120 "$browser" "${flags[@]}" "$@" >"$out/$name.out" 2>"$out/$name.log" ||
    { cat "$out/$name.log"; echo "chromium $name failed" >&2; exit 1; }
}
run shot --screenshot="$out/shot.png" "$url"
run dom_js --dump-dom "$url#sort=calls"
# JavaScript off: Chromium's --dump-dom and --screenshot write nothing with
# scripts disabled, so the DOM without JavaScript is the file as written (no
# script has changed it) and is checked like the rendered one.
cp "$out/report.html" "$out/dom_nojs.out"
mkdir -p "$shots"
cp "$out/shot.png" "$shots/analyze_html.png"
PYTHONPATH="$(cd "$(dirname "$0")" && pwd -P)" python3 - "$out" <<'PY'
import html, re, sys
from png_ink import inked_share
out = sys.argv[1]
fail = []
logs = "".join(open(f"{out}/{n}.log", errors="replace").read() for n in ("shot", "dom_js"))
bad = [l for l in logs.splitlines() if re.search(r"CONSOLE|Uncaught|Refused to|Failed to load resource", l)]
if bad:
    fail.append("console messages:\n" + "\n".join(bad[:10]))
page = open(f"{out}/report.html").read()
if re.search(r"(src|href)=\"(https?:)?//", page) or "@import" in page:
    fail.append("the page refers to the network")
js, nojs = open(f"{out}/dom_js.out").read(), open(f"{out}/dom_nojs.out").read()

def rows(dom):
    body = re.search(r'<table class="sortable" id="top-queries">.*?<tbody>(.*?)</tbody>', dom, re.S)
    if not body:
        return []
    out = []
    for tr in re.findall(r"<tr data-id=\"([^\"]+)\">(.*?)</tr>", body.group(1), re.S):
        vals = [float(v) for v in re.findall(r'data-v="([^"]+)"', tr[1])]
        out.append((tr[0], vals))
    return out

for name, dom in (("JavaScript on", js), ("JavaScript off", nojs)):
    for section in ("overview", "over-time", "queries", "errors", "findings", "sessions", "locks", "vacuum",
                    "missing"):
        if not re.search(r'<section id="%s"' % section, dom):
            fail.append(f"{name}: section {section} missing")
    for a in re.findall(r'<nav class="side".*?</nav>', dom, re.S)[:1]:
        if len(re.findall(r"<a href=\"#", a)) != 9:
            fail.append(f"{name}: the navigation bar does not link the 9 sections")
    charts = re.findall(r'<svg class="chart" id="([^"]+)"(.*?)</svg>', dom, re.S)
    ids = {c[0] for c in charts}
    for want in ("chart-latency-histogram", "chart-queries", "chart-latency", "chart-errors", "chart-temp",
                 "chart-maintenance", "chart-locks", "chart-connections", "chart-session-durations",
                 "chart-query-types", "chart-errors-by-sqlstate"):
        if want not in ids:
            fail.append(f"{name}: chart {want} missing")
    for cid, body in charts:
        marks = [float(h) for h in re.findall(r'<rect(?! class="legend")[^>]* height="([0-9.]+)"', body)]
        lines = re.findall(r'<polyline[^>]* points="([^"]+)"', body)
        if not any(h > 0 for h in marks) and not any(len(p.split()) > 1 for p in lines):
            fail.append(f"{name}: chart {cid} is empty")
    details = len(re.findall(r'<details class="query" id="q-', dom))
    findings = len(re.findall(r'<div class="finding ', dom))
    if findings == 0:
        fail.append(f"{name}: no finding card")
    if "division by zero" not in dom or "patients_pkey" not in dom:
        fail.append(f"{name}: the error groups are missing")
    # auto_explain plans in the drill-downs (values masked), the lock wait
    # with the process that held the lock (make_logs.sh: billing, pid 4712).
    plans = re.findall(r'<pre class="plan"><code>(.*?)</code></pre>', dom, re.S)
    if not plans or not any("Scan" in p for p in plans):
        fail.append(f"{name}: no auto_explain plan in the drill-downs")
    if not re.search(r'<table id="lock-waits">.*?process 4712.*?</table>', dom, re.S):
        fail.append(f"{name}: the lock wait and its blocker are missing")
    if not re.search(r'<td>UPDATE</td>', dom) or not re.search(r'<td>SELECT</td>', dom):
        fail.append(f"{name}: queries by type are missing")
r_js, r_nojs = rows(js), rows(nojs)
if len(r_nojs) < 10 or len(r_js) != len(r_nojs) or details != len(r_nojs):
    fail.append(f"top queries: {len(r_js)} rows with JS, {len(r_nojs)} without, {details} drill-downs")
# Columns: # calls total mean p95 max temp errors share (data-v of each cell).
calls = [v[1] for _, v in r_js]
total_nojs = [v[2] for _, v in r_nojs]
if calls != sorted(calls, reverse=True) or calls == [v[1] for _, v in r_nojs]:
    fail.append("JavaScript on: #sort=calls did not sort the table by calls")
if 'data-key="calls" tabindex="0" aria-sort="descending"' not in js and not re.search(r'data-key="calls"[^>]*aria-sort="descending"', js):
    fail.append("JavaScript on: the calls header is not marked sorted")
if total_nojs != sorted(total_nojs, reverse=True):
    fail.append("JavaScript off: the table is not in total-time order")
if {i for i, _ in r_js} != {i for i, _ in r_nojs}:
    fail.append("the rows differ with and without JavaScript")
def check_png(path):
    try:
        w, h, size, share = inked_share(path, 8)
    except ValueError as e:
        fail.append(f"screenshot: {e}")
        return
    print(f"{path}: {w}x{h}, {size} bytes, {share:.1%} inked samples")
    if w < 1000 or h < 1000 or share < 0.01:
        fail.append(f"screenshot looks blank ({w}x{h}, {share:.2%} inked)")

check_png(f"{out}/shot.png")
if fail:
    print("FAIL:\n  " + "\n  ".join(fail))
    sys.exit(1)
nchart = len(re.findall(r'<svg class="chart"', js))
print(f"ok: {len(r_js)} query rows sorted by calls with JavaScript, complete without; {nchart} charts, "
      "no console errors")
PY
