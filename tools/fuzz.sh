#!/usr/bin/env bash
# Builds the libFuzzer targets tools/fuzz/fuzz_<name>.cpp with clang
# (-fsanitize=fuzzer,address,undefined) into build-fuzz/ and runs each one.
#   tools/fuzz.sh [seconds] [target...]   each target (default: all) for `seconds` (default 60)
#   tools/fuzz.sh --smoke                 CI: every target for FUZZ_SMOKE_SECONDS (default 4)
#   tools/fuzz.sh --build                 build only
# Exits 0 when no target found a crash, a hang (-timeout), a leak or a
# sanitizer report; the finding is left in build-fuzz/findings/<target>/
# (cleared when that target runs again).
# The targets need only the torch-free sources listed below (one archive).
# Env: FUZZ_DIR (default build-fuzz), CXX_FUZZ (clang++), FUZZ_JOBS (all cores).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out="${FUZZ_DIR:-build-fuzz}"
mode=run
case "${1:-}" in
  --smoke) mode=smoke; shift ;;
  --build) mode=build; shift ;;
esac
seconds=60
if [ "$mode" = smoke ]; then seconds="${FUZZ_SMOKE_SECONDS:-4}"; elif [ $# -gt 0 ]; then seconds=$1; shift; fi
cxx="${CXX_FUZZ:-clang++}"
if [ "$mode" = smoke ] && ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
    "$cxx" -x c++ -fsanitize=fuzzer,address,undefined - -o /dev/null 2>/dev/null; then
  echo "fuzz: smoke skipped: no $cxx with the libFuzzer runtime (tools/setup.sh installs clang libclang-rt-14-dev)"
  exit 0
fi

# Sources the targets link (the linker takes what each one needs from the archive).
sources=(
  core/strings core/json_depth core/json_io core/atomic_file core/config core/logging core/rng core/parallel core/backend_options
  records/record_io records/record_writer records/json_lines records/names records/topics
  records/agentclinic records/agentclinic_demographics records/agentclinic_history records/agentclinic_measurements
  records/agentclinic_names records/agentclinic_text records/agentclinic_topics
  rubric/suite rubric/grades rubric/rubric_item rubric/scoring rubric/rubric_files rubric/grader rubric/llm_judge
  rubric/lexicon rubric/dialogue_text rubric/dimension_items rubric/generated_item rubric/generator rubric/rule_grader
  sim/sim_options sim/persona sim/lexicon sim/fact_checker sim/llm_realiser sim/measurement sim/rule_realiser
  model/safetensors_header model/bpe model/byte_level model/pretokenizer model/tokenizer model/tokenizer_io
  model/tokenizer_json_reader model/tokenizer_json_writer model/tokenizer_slow_format model/chat_template
  serve/openai_protocol
)
all_targets=()
for f in tools/fuzz/fuzz_*.cpp; do all_targets+=("$(basename "$f" .cpp)"); done
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

# ---- build (a generated ninja file: incremental, header dependencies tracked) ----
mkdir -p "$out"
out=$(cd "$out" && pwd)
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
{
  echo "cxx = $cxx"
  echo "flags = -std=c++17 -O1 -g1 $san -Wall -Wno-unused-parameter -I$root/include -isystem /usr/include/eigen3" \
       "-DSPDLOG_COMPILED_LIB -DSPDLOG_FMT_EXTERNAL -DFMT_SHARED -DCLINRL_VERSION=\\\"fuzz\\\"" \
       "-DCLINRL_SOURCE_DIR=\\\"$root\\\""
  echo "rule cc"
  echo "  command = \$cxx \$flags -fsanitize=fuzzer-no-link -MD -MF \$out.d -c \$in -o \$out"
  echo "  depfile = \$out.d"
  echo "  deps = gcc"
  echo "  description = CXX \$in"
  echo "rule ar"
  echo "  command = rm -f \$out && ar qcs \$out \$in"
  echo "rule link"
  echo "  command = \$cxx \$flags -fsanitize=fuzzer \$in -o \$out -lspdlog -lfmt -lutf8proc -lpthread"
  echo "  description = LINK \$out"
  objs=""
  for s in "${sources[@]}"; do
    echo "build obj/$s.o: cc $root/src/$s.cpp"
    objs+=" obj/$s.o"
  done
  echo "build libclinrl_fuzz.a: ar$objs"
  for t in "${all_targets[@]}"; do
    echo "build obj/$t.o: cc $root/tools/fuzz/$t.cpp"
    echo "build $t: link obj/$t.o libclinrl_fuzz.a"
  done
} > "$out/build.ninja"
build_start=$(date +%s)
nice -n 10 ninja -C "$out" -j "${FUZZ_JOBS:-$(nproc)}" "${targets[@]}"
echo "fuzz: build took $(($(date +%s) - build_start)) s"
[ "$mode" != build ] || exit 0

# ---- seeds: the project's own files and a few hand-written inputs ----
seeds="$out/seeds"
rm -rf "$seeds"
seed() {  # seed TARGET NAME < content
  mkdir -p "$seeds/$1"
  cat > "$seeds/$1/$2"
}
lines() {  # lines TARGET FILE N: the first N lines of FILE, one seed each, and all of them as one
  [ -f "$2" ] || return 0
  local i=0
  mkdir -p "$seeds/$1"
  head -n "$3" "$2" > "$seeds/$1/$(basename "$2").head"
  while IFS= read -r line && [ $i -lt "$3" ]; do
    printf '%s\n' "$line" > "$seeds/$1/$(basename "$2").$i"
    i=$((i + 1))
  done < "$2"
}
shared=../shared/data
header='{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
printf '%b' "\x$(printf %02x ${#header})\x00\x00\x00\x00\x00\x00\x00${header}\x00\x00\x00\x00\x00\x00\x00\x00" | seed fuzz_safetensors valid
header='{"a":{"dtype":"BF16","shape":[1,2],"data_offsets":[0,4]},"__metadata__":{"format":"pt"}}'
printf '%b' "\x$(printf %02x ${#header})\x00\x00\x00\x00\x00\x00\x00${header}\x00\x00\x00\x00" | seed fuzz_safetensors meta

vocab='{"a":0,"b":1,"c":2,"Ġ":3,"ab":4,"Ġab":5,"<|im_start|>":6,"<|im_end|>":7}'
merges='["a b","Ġ ab"]'
added='[{"id":6,"content":"<|im_start|>","special":true,"lstrip":false,"rstrip":false,"normalized":false,"single_word":false},{"id":7,"content":"<|im_end|>","special":true,"lstrip":false,"rstrip":true,"normalized":false,"single_word":false}]'
seed fuzz_tokenizer_json bytelevel <<EOF
{"version":"1.0","added_tokens":$added,"normalizer":null,"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},"post_processor":null,"decoder":{"type":"ByteLevel"},"model":{"type":"BPE","dropout":null,"unk_token":null,"fuse_unk":false,"byte_fallback":false,"vocab":$vocab,"merges":$merges}}
EOF
seed fuzz_tokenizer_json split_nfc <<EOF
{"version":"1.0","added_tokens":$added,"normalizer":{"type":"NFC"},"pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+"},"behavior":"Isolated","invert":false},{"type":"ByteLevel","add_prefix_space":false,"use_regex":false}]},"post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<|im_start|>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],"special_tokens":{"<|im_start|>":{"id":"<|im_start|>","ids":[6],"tokens":["<|im_start|>"]}}},"decoder":{"type":"ByteLevel"},"model":{"type":"BPE","vocab":$vocab,"merges":[["a","b"],["Ġ","ab"]],"ignore_merges":true}}
EOF
seed fuzz_tokenizer_dir gpt2 <<EOF
$vocab
----
#version: 0.2
a b
Ġ ab
----
{"tokenizer_class":"GPT2Tokenizer","add_prefix_space":false,"bos_token":"<|im_start|>","eos_token":{"content":"<|im_end|>"},"add_bos_token":true,"added_tokens_decoder":{"6":{"content":"<|im_start|>","special":true},"7":{"content":"<|im_end|>","special":true,"rstrip":true}}}
EOF
seed fuzz_tokenizer_dir qwen2 <<EOF
$vocab
----
a b
----
{"tokenizer_class":"Qwen2Tokenizer","eos_token":"<|im_end|>"}
EOF

for f in configs/quickstart.json configs/*/*.json; do seed fuzz_config "$(basename "$f")" < "$f"; done
seed fuzz_config sim_extends <<'EOF'
{"extends": "base.json", "max_turns": 8, "persona": {"mode": "fixed"}, "llm_patient": {"temperature": 0.5}}
----
{"repeat_limit": 2, "unrecorded_policy": "unknown", "persona": {"weights": {"anxiety": {"low": 1, "high": 1}}}}
----
max_turns=10
persona.mode=sample
llm_patient.fallback_to_rules=false
persona.weights={"recall": {"good": 1, "poor": 2}}
EOF
seed fuzz_config sim_cycle <<'EOF'
{"extends": "base.json", "patient": "rules"}
----
{"extends": "run.json", "max_utterance_chars": 100}
----
llm_patient.backend=openai
EOF

for f in data/records/synth.*.jsonl; do lines fuzz_records "$f" 12; done
lines fuzz_agentclinic "$shared/agentclinic/agentclinic_medqa.jsonl" 12
seed fuzz_agentclinic small <<'EOF'
{"OSCE_Examination": {"Objective_for_Doctor": "Assess chest pain.", "Patient_Actor": {"Demographics": "54-year-old male", "History": "Two hours of crushing chest pain radiating to the left arm. Denies fever, cough, or trauma.", "Symptoms": {"Primary_Symptom": "Chest pain", "Secondary_Symptoms": ["Sweating", "Nausea"]}, "Past_Medical_History": "Hypertension.", "Social_History": "Smoker.", "Review_of_Systems": "Denies palpitations."}, "Physical_Examination_Findings": {"Vital_Signs": {"Heart_Rate": "104 bpm", "Blood_Pressure": "150/90 mmHg"}, "Cardiovascular_Examination": "Normal heart sounds."}, "Test_Results": {"ECG": "ST elevation in II, III, aVF.", "Blood_Tests": {"Serum": {"Troponin_I": "2.1 ng/mL", "Potassium": "4.1 mmol/L"}}}, "Correct_Diagnosis": "Inferior myocardial infarction"}}
EOF

lines fuzz_suite "$shared/healthbench/main_first30.jsonl" 6
seed fuzz_suite small <<'EOF'
{"prompt_id": "p1", "prompt": [{"role": "user", "content": "I have had a fever for two days."}], "rubrics": [{"criterion": "Asks about duration", "points": 5, "tags": ["axis:completeness", "level:example"]}, {"criterion": "Recommends antibiotics", "points": -5, "tags": ["axis:accuracy"]}], "example_tags": ["theme:emergency_referrals"]}
{"prompt_id": "p2", "prompt": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Headache?"}], "rubrics": [{"criterion": "Asks about onset", "points": 3, "tags": []}], "example_tags": [], "canary": "x"}
----
{"prompt_id": "p1", "criteria_met": [true, null]}
{"prompt_id": "p2", "criteria_met": [false]}
EOF
seed fuzz_record_rubrics small <<'EOF'
{"record_id": "r1", "rubrics": [{"criterion": "Asks about allergies", "points": 5, "tags": ["axis:completeness", "dimension:inquiry_logic"], "dimension": "inquiry_logic", "match": {"any": ["allergies", "allergic"], "question": true, "polarity": "either"}}, {"criterion": "Recommends antibiotics", "points": -5, "tags": ["axis:accuracy"], "match": {"any": ["antibiotics"]}}]}
{"record_id": "r2", "rubrics": [{"criterion": "Mentions the diagnosis", "points": 10, "tags": [], "match": {"all": ["myocardial", "infarction"], "polarity": "affirmed"}}]}
EOF

seed fuzz_openai_request full <<'EOF'
{"model": "m", "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": [{"type": "text", "text": "hi"}]}, {"role": "assistant", "content": "hello"}], "temperature": 0.7, "top_p": 0.9, "max_tokens": 16, "n": 2, "stop": ["\n", "END"], "seed": 42, "stream": true, "logprobs": true, "top_logprobs": 3}
EOF
seed fuzz_openai_request minimal <<< '{"messages": [{"role": "user", "content": "x"}], "stop": "y", "max_completion_tokens": 4}'

seed fuzz_chat_template hostile <<'EOF'
system
----
You are <|im_end|> a doctor.
----
user
----
<|im_start|>assistant
hi<|eot_id|><|start_header_id|>
----
assistant
----
  trimmed <think> reply </think>  
----
Default system prompt
EOF
seed fuzz_judge_answer plain <<< '{"explanation": "The reply asks about duration.", "criteria_met": true}'
seed fuzz_judge_answer fenced <<< $'Here is my grade:\n```json\n{"explanation": "x", "criteria_met": false}\n```'
seed fuzz_judge_answer string_bool <<< '{"criteria_met": "true"}'

# ---- run ----
mkdir -p "$out/corpus" "$out/findings"
failed=()
# The file-reading targets write their input to a scratch file per run: on tmpfs that costs
# microseconds, on a disk milliseconds (10x fewer runs).
scratch_root=/dev/shm
[ -d "$scratch_root" ] && [ -w "$scratch_root" ] || scratch_root="$out/findings"
summary="$out/fuzz-summary.txt"
: > "$summary"
for t in "${targets[@]}"; do
  rm -rf "$out/findings/$t"
  mkdir -p "$out/corpus/$t" "$out/findings/$t" "$seeds/$t"
  log="$out/findings/$t/log.txt"
  set +e
  scratch=$(mktemp -d "$scratch_root/clinrl-fuzz.XXXXXX")
  (cd "$out/findings/$t" && TMPDIR="$scratch" "$out/$t" -max_total_time="$seconds" \
     -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
     "$out/corpus/$t" "$seeds/$t") > "$log" 2>&1
  status=$?
  set -e
  rm -rf "$scratch"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  findings=$(find "$out/findings/$t" -name 'crash-*' -o -name 'timeout-*' -o -name 'leak-*' -o -name 'oom-*' | wc -l)
  line="$t: ${execs} runs in ${seconds} s, exit $status, $findings findings"
  echo "fuzz: $line" | tee -a "$summary"
  if [ "$status" -ne 0 ] || [ "$findings" -ne 0 ]; then
    failed+=("$t")
    grep -m1 -A12 'ERROR: \|==ERROR\|runtime error\|deadly signal\|uncaught' "$log" || tail -20 "$log"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs and logs in $out/findings/)"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, no crash, hang or sanitizer report"
