#!/usr/bin/env bash
# Renders a GraphGen HTML report in headless Chromium (Debian's package) and checks the picture is not blank:
#   .ci/render-report.sh REPORT.html SCREENSHOT.png
set -euo pipefail
report=$(realpath "$1"); shot=$(realpath -m "$2")
if ! command -v chromium >/dev/null; then
  echo "render-report: installing Debian's chromium" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars)
timeout 60 chromium "${flags[@]}" --window-size=1000,1400 --screenshot="$shot" "file://$report" >/dev/null 2>&1
dom=$(timeout 60 chromium "${flags[@]}" --dump-dom "file://$report" 2>/dev/null)
# The page parsed into what the report wrote: charts and (where there are images) decodable PNGs.
svgs=$( (grep -o '<svg' <<<"$dom" || true) | wc -l)
imgs=$( (grep -o '<img' <<<"$dom" || true) | wc -l)
size=$(stat -c %s "$shot")
echo "render-report: $(basename "$report"): $svgs charts, $imgs images, screenshot $size bytes"
[ "$svgs" -ge 1 ] || { echo "render-report: no chart rendered" >&2; exit 1; }
# A blank 1000×1400 page compresses to a few kilobytes; curves, text and digits take far more.
[ "$size" -gt 30000 ] || { echo "render-report: the screenshot looks blank ($size bytes)" >&2; exit 1; }
