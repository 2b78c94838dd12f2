#!/usr/bin/env bash
# The HTML report in headless Chromium: it renders without console errors
# (an inline script or a blocked network fetch would log one), the DOM holds
# both charts, and the screenshot is a real, non-blank PNG.
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
flags=(--headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$out/profile"
       --enable-logging=stderr --v=0 --window-size=1200,2400)
timeout 120 "$browser" "${flags[@]}" --screenshot="$out/shot.png" "file://$out/report.html" \
  >"$out/shot.log" 2>&1 || { cat "$out/shot.log"; echo "chromium --screenshot failed" >&2; exit 1; }
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$out/report.html" >"$out/dom.html" 2>"$out/dom.log" ||
  { cat "$out/dom.log"; echo "chromium --dump-dom failed" >&2; exit 1; }
PYTHONPATH="$(cd "$(dirname "$0")" && pwd -P)" python3 - "$out" <<'PY'
import re, sys
from png_ink import inked_share
out = sys.argv[1]
fail = []
logs = open(f"{out}/shot.log", errors="replace").read() + open(f"{out}/dom.log", errors="replace").read()
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
try:
    w, h, size, share = inked_share(f"{out}/shot.png", 4)
    print(f"screenshot {w}x{h}, {size} bytes, {share:.1%} inked samples")
    if w < 800 or h < 800 or share < 0.005:
        fail.append(f"screenshot looks blank ({w}x{h}, {share:.2%} inked)")
except ValueError as e:
    fail.append(f"screenshot: {e}")
if fail:
    print("FAIL:\n  " + "\n  ".join(fail))
    sys.exit(1)
print("ok: rendered without console errors, both charts present")
PY
