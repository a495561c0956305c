#!/usr/bin/env bash
# GPU check, for a machine with an NVIDIA GPU and PyTorch built with CUDA (CI
# never runs it). Builds clinrl against PyTorch's bundled libtorch, runs the
# model, generation and training tests (the fine-tune smoke run on CUDA), and
# prints the figures docs/model.md records:
#   - the bf16 matmul rate, and a bf16 train step of a Qwen2.5-0.5B-shaped
#     model as a fraction of it;
#   - decode tokens/s at batch 1, 8 and 64 for that model;
#   - a 5-step GRPO run from a random 0.5B-shaped checkpoint: rewards, host
#     and GPU memory.
#
#   tools/gpu-check.sh [--build-dir DIR] [--skip-tests] [--skip-bench]
#
# Needs (checked first, each missing one named):
#   - nvidia-smi and a visible GPU; python3 with torch whose torch.cuda.is_available();
#   - the CUDA toolkit (nvcc; libtorch's CMake config looks for it), cmake >= 3.18, a C++17 compiler;
#   - the headers and libraries tools/setup.sh installs besides libtorch: nlohmann_json,
#     spdlog, CLI11, Catch2 (v2), Eigen3, utf8proc, cpp-httplib. Without network, carry them
#     in a prefix (include/, lib/, lib/cmake/) and pass CLINRL_DEPS_PREFIX=/that/prefix.
# Output: DIR/gpu-check.txt (all figures) next to the build, and on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build-gpu
run_tests=1
run_bench=1
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --skip-tests) run_tests=0; shift ;;
    --skip-bench) run_bench=0; shift ;;
    *) echo "gpu-check: unknown option $1 (expected --build-dir DIR, --skip-tests, --skip-bench)" >&2; exit 2 ;;
  esac
done

fail() { echo "gpu-check: $*" >&2; exit 1; }

# --- 1. what the machine must have ---
command -v nvidia-smi >/dev/null 2>&1 || fail "no nvidia-smi: this script needs a machine with an NVIDIA GPU and its driver"
nvidia-smi -L >/dev/null 2>&1 || fail "nvidia-smi sees no GPU: $(nvidia-smi -L 2>&1 | head -1)"
command -v python3 >/dev/null 2>&1 || fail "no python3: PyTorch (with CUDA) provides the libtorch this build uses"
torch_info=$(python3 - <<'EOF' 2>&1
import torch
assert torch.cuda.is_available(), "torch.cuda.is_available() is False (a CPU-only PyTorch, or no usable GPU)"
print(torch.utils.cmake_prefix_path)
print(torch.__version__)
print(torch.version.cuda)
print(int(torch._C._GLIBCXX_USE_CXX11_ABI))
print(torch.cuda.get_device_name(0))
EOF
) || fail "python3 -c 'import torch' with CUDA failed: ${torch_info##*$'\n'}"
torch_prefix=$(sed -n 1p <<<"$torch_info")
torch_version=$(sed -n 2p <<<"$torch_info")
torch_cuda=$(sed -n 3p <<<"$torch_info")
torch_abi=$(sed -n 4p <<<"$torch_info")
gpu_name=$(sed -n 5p <<<"$torch_info")
command -v cmake >/dev/null 2>&1 || fail "no cmake (>= 3.18)"
nvcc_path=$(command -v nvcc || ls /usr/local/cuda/bin/nvcc 2>/dev/null || true)
[ -n "$nvcc_path" ] || fail "no nvcc: libtorch's CMake config (Caffe2 cuda.cmake) needs the CUDA toolkit ${torch_cuda}; put its bin/ on PATH or install cuda-toolkit"

deps_prefix=${CLINRL_DEPS_PREFIX:-}
include_dirs=(/usr/include /usr/local/include)
[ -n "$deps_prefix" ] && include_dirs=("$deps_prefix/include" "${include_dirs[@]}")
missing=()
check_header() {  # header, what provides it
  for d in "${include_dirs[@]}"; do [ -e "$d/$1" ] && return 0; done
  missing+=("$1 ($2)")
}
check_header nlohmann/json.hpp "nlohmann-json3-dev"
check_header spdlog/spdlog.h "libspdlog-dev"
check_header CLI/CLI.hpp "libcli11-dev"
check_header catch2/catch.hpp "catch2 v2"
check_header eigen3/Eigen/Core "libeigen3-dev"
check_header utf8proc.h "libutf8proc-dev"
check_header httplib.h "libcpp-httplib-dev"
if [ ${#missing[@]} -gt 0 ]; then
  printf 'gpu-check: missing build dependencies (searched %s):\n' "${include_dirs[*]}" >&2
  printf '  %s\n' "${missing[@]}" >&2
  fail "install them (tools/setup.sh lists the Debian packages) or carry them under CLINRL_DEPS_PREFIX"
fi
mkdir -p "$build_dir"
report="$build_dir/gpu-check.txt"
: >"$report"
say() { echo "$*" | tee -a "$report"; }
say "gpu-check $(date -u +%Y-%m-%dT%H:%M:%SZ): $gpu_name; PyTorch $torch_version (CUDA $torch_cuda, libtorch at $torch_prefix)"
if [ "$torch_abi" = "0" ]; then
  # The system's compiled C++ libraries (spdlog, cpp-httplib) use the new
  # std::string ABI; a pre-cxx11-ABI libtorch cannot link with them.
  say "gpu-check: warning: this PyTorch uses the pre-C++11 string ABI (_GLIBCXX_USE_CXX11_ABI=0); linking with the system's spdlog/cpp-httplib may fail. PyTorch >= 2.7 wheels use the C++11 ABI."
fi

# --- 2. build ---
generator=()
if command -v ninja >/dev/null 2>&1 && [ ! -f "$build_dir/Makefile" ]; then generator=(-G Ninja); fi
prefix_path="$torch_prefix"
[ -n "$deps_prefix" ] && prefix_path="$torch_prefix;$deps_prefix"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "${generator[@]}" -DCMAKE_PREFIX_PATH="$prefix_path" \
  -DCMAKE_CUDA_COMPILER="$nvcc_path" >"$build_dir/configure.log" 2>&1 ||
  { tail -30 "$build_dir/configure.log" >&2; fail "cmake configure failed (full log: $build_dir/configure.log)"; }
cmake --build "$build_dir" -j "$(nproc)" --target clinrl clinrl_tests bench_model bench_training \
  >"$build_dir/build.log" 2>&1 ||
  { grep -m 20 -E "error|undefined reference" "$build_dir/build.log" >&2 || tail -30 "$build_dir/build.log" >&2
    fail "build failed (full log: $build_dir/build.log)"; }
"$build_dir/clinrl" info 2>&1 | tee -a "$report" || true

# Peak GPU memory while a command runs, sampled by nvidia-smi every 200 ms.
gpu_peak() {
  local log; log=$(mktemp)
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -i 0 -lms 200 >"$log" 2>/dev/null &
  local sampler=$!
  local rc=0
  "$@" 2>&1 | tee -a "$report" || rc=$?
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  say "peak GPU memory used (whole device, nvidia-smi): $(sort -n "$log" | tail -1) MiB"
  rm -f "$log"
  return $rc
}

# --- 3. tests: model, generation and training; CUDA where a test takes CLINRL_TEST_DEVICE ---
status=0
if [ "$run_tests" = 1 ]; then
  say "== tests (model, rl; CLINRL_TEST_DEVICE=cuda) =="
  ( cd "$build_dir" && CLINRL_TEST_DEVICE=cuda ctest -R 'model|rl' -j 4 --output-on-failure ) 2>&1 | tail -40 | tee -a "$report" ||
    status=1
fi

# --- 4. benchmarks on a Qwen2.5-0.5B-shaped model (random weights) ---
if [ "$run_bench" = 1 ]; then
  shape="$build_dir/qwen2.5-0.5b-shape.json"
  # Qwen2.5-0.5B's config.json shape (hidden 896, 24 layers, 14/2 heads, tied 151,936 vocab).
  cat >"$shape" <<'EOF'
{"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 151936, "hidden_size": 896,
 "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2,
 "max_position_embeddings": 32768, "rope_theta": 1000000.0, "rms_norm_eps": 1e-06, "tie_word_embeddings": true,
 "torch_dtype": "bfloat16"}
EOF
  say "== bench_model: bf16 matmul rate, train step, decode at batch 1, 8, 64 =="
  gpu_peak "$build_dir/bench_model" --device cuda --dtype bfloat16 --model-config "$shape" --batches 1,8,64 \
    --decode-tokens 64 --train-batch 8 --train-len 512 || status=1
  say "== bench_training: 5 GRPO steps from a random 0.5B-shaped checkpoint =="
  tokenizer_args=()
  qwen_tokenizer=../shared/data/model/qwen2.5/tokenizer.json
  if [ -f "$qwen_tokenizer" ]; then
    tokenizer_args=(--tokenizer "$qwen_tokenizer")
  else
    say "(no $qwen_tokenizer: the tokenizer is trained on expert dialogues, 2,000 ids, so the embedding is smaller than 0.5B's)"
  fi
  gpu_peak "$build_dir/bench_training" --device cuda --dtype bfloat16 --model-config "$shape" ${tokenizer_args[@]+"${tokenizer_args[@]}"} \
    --steps 5 --episodes 16 || status=1
fi
say "gpu-check: done (status $status); figures in $report"
exit $status
