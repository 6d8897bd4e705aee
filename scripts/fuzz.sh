#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/fuzz_*.cpp) with clang, ASan and UBSan in build-fuzz/ and runs
# each for SECONDS (default 60), one after the other, on a copy of its seed corpus (fuzz/corpus/<target>,
# copied to build-fuzz/corpus/<target>, which keeps what the runs add; the committed seeds never grow).
# Prints one line per target (executions, coverage, result) and exits non-zero when any target found
# something: a crash, a sanitizer report, an exception outside weft::Error, a broken invariant, a
# timeout (over 10 s for one input) or memory over 2 GB. The inputs that did it are left in
# build-fuzz/findings/<target>/; rerun one with build-fuzz/bin/fuzz_<target> FILE.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 60, scripts/fuzz.sh 300 conllu jsonl
#
# Environment: WEFT_FUZZ_JOBS (parallel builds, default 2), WEFT_FUZZ_ARGS (extra libFuzzer flags).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-60}
shift || true
build=build-fuzz

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ not found (apt-get install clang)" >&2
  exit 2
fi
launcher=()
if command -v ccache >/dev/null; then launcher=(-DWEFT_CCACHE=ON -DWEFT_CCACHE_DIR="$root/$build/.ccache"); fi
if [ ! -f $build/build.ninja ]; then
  # -O1 -g: the usual fuzzing trade-off (fast enough, readable stacks); asserts stay on.
  cmake -S . -B $build -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DWEFT_FUZZ=ON -DWEFT_CUDA=OFF -DWEFT_BUILD_TESTS=OFF \
    -DWEFT_BUILD_CLI=OFF -DWEFT_BUILD_PYTHON=OFF -DWEFT_BUILD_BENCHMARKS=OFF "${launcher[@]}" >/dev/null || exit 2
fi
start=$(date +%s)
ninja -C $build -j"${WEFT_FUZZ_JOBS:-2}" >$build/build.log 2>&1 || { tail -40 $build/build.log; echo "fuzz.sh: build failed"; exit 2; }
echo "== built in $(( $(date +%s) - start )) s ($build/bin)"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.cpp; do n=$(basename "$f" .cpp); targets+=("${n#fuzz_}"); done
fi

# Scratch files of the targets that write folders (model_config, entity_ruler) go to RAM when it can.
tmp_base=/dev/shm; [ -d $tmp_base ] && [ -w $tmp_base ] || tmp_base=$root/$build
export WEFT_FUZZ_TMP=$(mktemp -d "$tmp_base/weft-fuzz.XXXXXX")
trap 'rm -rf "$WEFT_FUZZ_TMP"' EXIT
# Stop at the first report, with symbols; leaks are findings too (libFuzzer's -detect_leaks).
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

status=0
printf '%-14s %12s %8s %8s  %s\n' target execs cov ft result
for t in "${targets[@]}"; do
  bin=$build/bin/fuzz_$t
  [ -x "$bin" ] || { echo "fuzz.sh: no target $t" >&2; status=2; continue; }
  corpus=$build/corpus/$t findings=$build/findings/$t
  rm -rf "$findings"; mkdir -p "$corpus" "$findings"
  [ -d fuzz/corpus/$t ] && cp -n fuzz/corpus/$t/* "$corpus"/ 2>/dev/null
  dict=(); [ -f fuzz/dict/$t.dict ] && dict=(-dict=fuzz/dict/$t.dict)
  log=$build/logs/$t.log
  mkdir -p $build/logs
  # -max_len: inputs up to 64 KB (the largest seeds are whole small files); -timeout: one input may
  # take 10 s; -rss_limit_mb: 2 GB in all; -max_total_time: SECONDS.
  "$bin" "$corpus" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$findings/" -print_final_stats=1 ${WEFT_FUZZ_ARGS:-} >"$log" 2>&1
  rc=$?
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  line=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: ' | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' <<<"$line" | grep -oE '[0-9]+'); ft=$(grep -oE 'ft: [0-9]+' <<<"$line" | grep -oE '[0-9]+')
  found=$(ls "$findings" 2>/dev/null | wc -l)
  if [ $rc -eq 0 ] && [ "$found" -eq 0 ]; then
    result=ok
  else
    result="FOUND (rc $rc; $(grep -m1 -oE 'ERROR: [A-Za-z]+: [^ ]+( [^ ]+)?|fuzz: .*|ERROR: libFuzzer: [a-z-]+' "$log" | head -1); inputs in $findings; log $log)"
    status=1
  fi
  printf '%-14s %12s %8s %8s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
exit $status
