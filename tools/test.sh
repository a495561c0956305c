#!/usr/bin/env bash
# Sets up, builds and runs every test (ctest), printing the output of failures
# and how many test files were skipped (they need ../shared/data) and why.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
tools/setup.sh
tools/build.sh
built=$(date +%s)
echo "test: build took $((built - start)) s"
cd "${BUILD_DIR:-build}"
set +e
ctest --output-on-failure -j "$(nproc)" "$@" 2>&1 | tee ctest.log
status=${PIPESTATUS[0]}
set -e
skipped=$(grep -c '(Skipped)$' ctest.log || true)
if [ "$skipped" -gt 0 ]; then
  echo "test: $skipped test files skipped: ../shared/data is absent here (see ../shared/data/SOURCES.md)"
else
  echo "test: no test skipped"
fi
echo "test: tests took $(($(date +%s) - built)) s"
exit "$status"
