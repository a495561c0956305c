#!/usr/bin/env bash
# Sets up, builds and runs every test (ctest), printing the output of failures
# and how many test files were skipped (they need ../shared/data) and why;
# then a few seconds of every fuzz target (tools/fuzz.sh --smoke) where clang's
# libFuzzer runtime is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
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
cd "$root"
fuzzed=$(date +%s)
fuzz_status=0
tools/fuzz.sh --smoke || fuzz_status=$?
echo "test: fuzz smoke took $(($(date +%s) - fuzzed)) s"
[ "$status" -ne 0 ] || status=$fuzz_status
exit "$status"
