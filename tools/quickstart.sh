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
build/clinrl train --config configs/quickstart.json "$@"
echo "training report:"
build/clinrl report runs/quickstart
