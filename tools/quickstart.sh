#!/usr/bin/env bash
# Sets up, builds and runs the main job on its embedded default config:
# a small end-to-end training run (SFT + GRPO + held-out evaluation), then its
# training report (runs/quickstart/report.html and report.md, paths printed).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
build/clinrl info
rm -rf runs/quickstart
# The run directory is whatever `train` says it is (a --set run.name=... moves it).
log=$(mktemp)
trap 'rm -f "$log"' EXIT
build/clinrl train --config configs/quickstart.json "$@" | tee "$log"
run_dir=$(sed -n 's/^run directory: //p' "$log" | tail -n 1)
if [ -z "$run_dir" ]; then
  echo "quickstart: clinrl train did not print its run directory; no report written" >&2
  exit 1
fi
echo "training report:"
build/clinrl report "$run_dir"
