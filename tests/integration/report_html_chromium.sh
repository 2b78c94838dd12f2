#!/usr/bin/env bash
# The weekly and fleet HTML reports in headless Chromium: they render
# without console errors (an inline script or a blocked network fetch would
# log one), every section is linked from the navigation bar, the charts are
# drawn with their legends, the heat map shows its values and its scale,
# findings are cards, and the screenshots are real, non-blank PNGs.
set -euo pipefail
pgsift=$1
fixtures=$2
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "chromium not found (ci/setup installs it)" >&2; exit 1; }
out=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-html.XXXXXX")
trap 'rm -rf "$out"' EXIT
# Snapshots and log of one run (fixtures/report_window): the report counts
# only log records inside the snapshots' window.
"$pgsift" report --from "$fixtures/report_window/clinic.from.json.gz" --to "$fixtures/report_window/clinic.to.json.gz" \
  --logs "$fixtures/report_window/clinic.stderr.log" --config "$fixtures/pgss/journeys.toml" --format html \
  -o "$out/report.html"
# Fleet: two windows of the captured database stand in for two clinics.
"$pgsift" report --from "$fixtures/pgss/a.json.gz" --to "$fixtures/pgss/b.json.gz" --partial --label clinic-north \
  -o "$out/north.json"
"$pgsift" report --from "$fixtures/pgss/b.json.gz" --to "$fixtures/pgss/c.json.gz" --partial --label clinic-south \
  -o "$out/south.json"
"$pgsift" report --merge "$out/north.json" "$out/south.json" --format html -o "$out/fleet.html"
flags=(--headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$out/profile"
       --enable-logging=stderr --v=0 --window-size=1200,2400)
timeout 120 "$browser" "${flags[@]}" --screenshot="$out/shot.png" "file://$out/report.html" \
  >"$out/shot.log" 2>&1 || { cat "$out/shot.log"; echo "chromium --screenshot failed" >&2; exit 1; }
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$out/report.html" >"$out/dom.html" 2>"$out/dom.log" ||
  { cat "$out/dom.log"; echo "chromium --dump-dom failed" >&2; exit 1; }
timeout 120 "$browser" "${flags[@]}" --screenshot="$out/fleet.png" "file://$out/fleet.html" \
  >"$out/fleet_shot.log" 2>&1 || { cat "$out/fleet_shot.log"; echo "chromium --screenshot (fleet) failed" >&2; exit 1; }
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$out/fleet.html" >"$out/fleet_dom.html" 2>"$out/fleet_dom.log" ||
  { cat "$out/fleet_dom.log"; echo "chromium --dump-dom (fleet) failed" >&2; exit 1; }
PYTHONPATH="$(cd "$(dirname "$0")" && pwd -P)" python3 - "$out" <<'PY'
import re, sys
from png_ink import inked_share
out = sys.argv[1]
fail = []
logs = "".join(open(f"{out}/{n}.log", errors="replace").read() for n in ("shot", "dom", "fleet_shot", "fleet_dom"))
bad = [l for l in logs.splitlines() if re.search(r"CONSOLE|Uncaught|Refused to|Failed to load resource", l)]
if bad:
    fail.append("console messages:\n" + "\n".join(bad[:10]))
dom = open(f"{out}/dom.html").read()
for chart in ("chart-top", "chart-load"):
    if not re.search(r'<svg[^>]*id="%s"' % chart, dom):
        fail.append(f"chart {chart} not in the rendered DOM")
if dom.count("<rect") < 24:
    fail.append(f"expected the bars and the 24-hour heat map, found {dom.count('<rect')} rects")
if "Regressions" not in dom or "Latency SLOs by journey" not in dom or "CANARY" in dom:
    fail.append("report content missing or a canary value shown")
def common(name, dom, charts):
    """Navigation to every section, charts present and non-empty, legends."""
    nav = re.search(r'<nav class="top"[^>]*>(.*?)</nav>', dom, re.S)
    if not nav:
        fail.append(f"{name}: no navigation bar")
        return
    for target in re.findall(r'href="#([^"]+)"', nav.group(1)):
        if not re.search(r'<h2 id="%s"' % re.escape(target), dom):
            fail.append(f"{name}: the navigation links #{target}, which is not a section")
    h2 = re.findall(r"<h2[ >]", dom)
    if len(re.findall(r'href="#', nav.group(1))) != len(h2):
        fail.append(f"{name}: {len(h2)} sections, the navigation links {len(re.findall(r'href=', nav.group(1)))}")
    for cid in charts:
        m = re.search(r'<svg[^>]*id="%s"(.*?)</svg>' % cid, dom, re.S)
        if not m:
            fail.append(f"{name}: chart {cid} not in the rendered DOM")
            continue
        if not any(float(w) > 1 for w in re.findall(r'<rect(?! class="legend")[^>]* width="([0-9.]+)"', m.group(1))):
            fail.append(f"{name}: chart {cid} is empty")
        if 'class="legend"' not in m.group(1):
            fail.append(f"{name}: chart {cid} has no legend")

common("weekly", dom, ("chart-top", "chart-load"))
if not re.search(r'<text class="cell"[^>]*>(&lt;)?[0-9][^<]*</text>', dom):
    fail.append("weekly: the heat map shows no values")
findings = re.search(r'<h2 id="findings">(.*?)<h2', dom, re.S)
if not findings:
    fail.append("weekly: no findings section")
elif "<pre><code>" in findings.group(1) or ('class="finding ' not in findings.group(1) and "no findings" not in findings.group(1)):
    fail.append("weekly: findings are not cards")
else:
    cards = findings.group(1).count('class="finding ')
    print(f"weekly: {cards} finding cards")
fleet = open(f"{out}/fleet_dom.html").read()
common("fleet", fleet, ("chart-fleet-load", "chart-fleet-top"))
if "clinic-north" not in fleet or "clinic-south" not in fleet:
    fail.append("fleet: the databases are missing")
for png in ("shot", "fleet"):
    try:
        w, h, size, share = inked_share(f"{out}/{png}.png", 4)
        print(f"{png} screenshot {w}x{h}, {size} bytes, {share:.1%} inked samples")
        if w < 800 or h < 800 or share < 0.005:
            fail.append(f"{png} screenshot looks blank ({w}x{h}, {share:.2%} inked)")
    except ValueError as e:
        fail.append(f"{png} screenshot: {e}")
if fail:
    print("FAIL:\n  " + "\n  ".join(fail))
    sys.exit(1)
print("ok: weekly and fleet rendered without console errors, sections linked, charts with legends")
PY
