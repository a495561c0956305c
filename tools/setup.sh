#!/usr/bin/env bash
# Installs every Debian package clinrl needs (idempotent; run as root or with sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev          # libtorch 1.13 (CPU)
  libgloo-dev           # headers torch's c10d (distributed) needs on Debian
  libopenblas0-openmp   # fast BLAS for libtorch: without it matmul is ~18x slower
  nlohmann-json3-dev libspdlog-dev libcli11-dev catch2 libeigen3-dev
  libutf8proc-dev       # Unicode categories for the tokenizer's split rules
  libcpp-httplib-dev    # HTTP client/server for serve and the LLM backends
  clang libclang-rt-14-dev  # libFuzzer + sanitizers for tools/fuzz.sh (the parsers' fuzz targets)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
