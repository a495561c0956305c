#!/usr/bin/env bash
# Renders an eval report's report.html in headless Chromium, checks that every
# SVG chart of the file is in the rendered DOM (with its error bars), and takes
# a screenshot.
#
#   tools/check_report_html.sh REPORT_DIR [OUT.png]    (default OUT: REPORT_DIR/report.png)
#
# Installs Debian's `chromium` package with apt-get when no chromium is found
# (it is deliberately not part of tools/setup.sh: CI does not need it).
set -euo pipefail

fail() { echo "check_report_html: $*" >&2; exit 1; }
trap 'fail "unexpected failure at line $LINENO"' ERR

[[ $# -ge 1 ]] || fail "usage: tools/check_report_html.sh REPORT_DIR [OUT.png]"
dir=$1
html="$dir/report.html"
[[ -f $html ]] || fail "$html not found (run clinrl eval --out $dir first)"
png=${2:-$dir/report.png}

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
  echo "check_report_html: chromium is not installed; installing Debian's chromium package with apt-get" >&2
  if [[ $(id -u) -ne 0 ]]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >&2
  browser=$(command -v chromium) || fail "chromium could not be installed"
fi

url="file://$(realpath "$html")"
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-extensions
       --hide-scrollbars --user-data-dir="$(mktemp -d)")
dom=$(mktemp)
trap 'rm -f "$dom"' EXIT

timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" >"$dom" 2>/dev/null ||
  fail "chromium could not render $html"
count() { { grep -o "$1" "$2" || true; } | wc -l; }
expected=$(count '<svg' "$html")
rendered=$(count '<svg' "$dom")
[[ $expected -gt 0 ]] || fail "$html holds no SVG chart"
[[ $rendered -eq $expected ]] || fail "$html has $expected SVG charts but the rendered page has $rendered"
bars_expected=$(count 'class="errorbar"' "$html")
bars_rendered=$(count 'class="errorbar"' "$dom")
[[ $bars_rendered -eq $bars_expected ]] ||
  fail "$html has $bars_expected error bars but the rendered page has $bars_rendered"
grep -q '</html>' "$dom" || fail "the rendered page is incomplete"

rm -f "$png"
timeout 120 "$browser" "${flags[@]}" --screenshot="$(realpath -m "$png")" --window-size=1200,1600 "$url" \
  >/dev/null 2>&1 || fail "chromium could not take the screenshot"
[[ -s $png ]] || fail "no screenshot written to $png"
echo "ok: $rendered SVG charts ($bars_rendered error bars) rendered by $($browser --version 2>/dev/null | head -1); screenshot $png"
