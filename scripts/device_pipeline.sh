#!/usr/bin/env bash
# The whole pipeline on the GPU machine (issue 18), where nothing can be installed: unpacks the .deb
# files that scripts/prepare_device.sh --pipeline fetched here (carry [".device"]), builds weft with
# CUDA for Hopper (no Python module: the machine's Python has no pybind11) with every core, and runs,
# leaving logs in $OUT (or out/):
#   1. the CUDA cases of weft_tests (whole-pipeline parity with the CPU's f32, batch-size independence)
#      and weft_nn_tests (every op and layer against the CPU);
#   2. weft evaluate on dev, CPU f32 (--no-int8) and --device cuda:0, and the differences per metric;
#   3. bench_pipeline --device cuda:0 (words/s against the same build's one CPU thread, peak GPU memory);
#   4. with STAGE=train (a second call, for the time it takes): weft train of the shipped config on
#      the GPU, and the same config on one CPU thread for a fixed number of steps, for words/s.
#   device tool: run(command="scripts/device_pipeline.sh", carry=[".device"])
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-out}
mkdir -p "$out"
stage=${STAGE:-check}
debs=$PWD/.device/debs
root=$PWD/.device/root
if ! ls "$debs"/*.deb >/dev/null 2>&1; then
  echo "device_pipeline: no .deb files in $debs: run scripts/prepare_device.sh --pipeline here and carry .device" >&2
  exit 2
fi
mkdir -p "$root"
for deb in "$debs"/*.deb; do
  if command -v dpkg >/dev/null; then
    dpkg -x "$deb" "$root"
  else
    # A .deb is an ar archive holding data.tar.*; binutils' ar is there wherever a compiler is.
    tmp=$(mktemp -d) && (cd "$tmp" && ar x "$deb" && tar -xf data.tar.* -C "$root") && rm -rf "$tmp"
  fi
done
lib=$root/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export CPLUS_INCLUDE_PATH=$root/usr/include${CPLUS_INCLUDE_PATH:+:$CPLUS_INCLUDE_PATH}
export PATH=/usr/local/cuda/bin:$PATH
# pkg-config for RE2 and xxHash: the carried pkgconf, reading the carried .pc files with their /usr
# prefix moved under $root.
export PKG_CONFIG_LIBDIR=$lib/pkgconfig:$root/usr/share/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$root
pkgconf=$(command -v pkg-config || echo "$root/usr/bin/pkgconf")
generator="Unix Makefiles"
command -v ninja >/dev/null && generator=Ninja

{
  echo "== machine"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1
  nvcc --version | tail -1
  lscpu | grep -E 'Model name|^CPU\(s\)'
} 2>&1 | tee "$out/device.txt"

echo "== configure and build"
cmake -S . -B build-gpu -G "$generator" -DCMAKE_BUILD_TYPE=Release -DWEFT_CUDA=ON -DWEFT_BUILD_PYTHON=OFF \
  -DCMAKE_CUDA_ARCHITECTURES=90 -DCMAKE_PREFIX_PATH="$root/usr" -DICU_ROOT="$root/usr" \
  -DPKG_CONFIG_EXECUTABLE="$pkgconf" >"$out/configure.log" 2>&1 ||
  { echo "device_pipeline: configure failed"; tail -40 "$out/configure.log"; exit 1; }
cmake --build build-gpu -j "$(nproc)" --target weft weft_tests weft_nn_tests bench_pipeline >"$out/build.log" 2>&1 ||
  { echo "device_pipeline: build failed"; grep -m 20 -B2 -A8 -E 'error|Error' "$out/build.log"; exit 1; }
bin=build-gpu/bin
status=0
expect_cuda=
nvidia-smi -L >/dev/null 2>&1 && expect_cuda=1

if [[ $stage == check ]]; then
  echo "== tests (CUDA cases)"
  WEFT_EXPECT_CUDA=$expect_cuda $bin/weft_tests -tc='cuda:*,device:*' >"$out/weft_tests.log" 2>&1 || status=1
  WEFT_EXPECT_CUDA=$expect_cuda $bin/weft_nn_tests -tc='cuda:*' >"$out/weft_nn_tests.log" 2>&1 || status=1
  grep -E '^\[doctest\] (test cases|Status)' "$out/weft_tests.log" "$out/weft_nn_tests.log"
  grep -h -m 20 -B3 -A12 -E 'ERROR|FATAL|MESSAGE' "$out/weft_tests.log" | head -60

  echo "== weft evaluate on dev: CPU f32 and cuda:0"
  $bin/weft --no-int8 evaluate models/en_ewt_sm data/en_ewt/dev.conllu --json >"$out/eval_cpu.json" || status=1
  /usr/bin/time -v $bin/weft evaluate models/en_ewt_sm data/en_ewt/dev.conllu --json --device cuda:0 \
    >"$out/eval_gpu.json" 2>"$out/eval_gpu.time" || status=1
  python3 - "$out/eval_cpu.json" "$out/eval_gpu.json" <<'PY' || status=1
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
worst = 0.0
for k, v in a.items():
    x, y = (v["f1"], b[k]["f1"]) if isinstance(v, dict) and "f1" in v else (v, b[k]) if isinstance(v, float) else (None, None)
    if x is None:
        continue
    worst = max(worst, abs(x - y))
    print(f"{k:10s} cpu {100 * x:6.2f}  gpu {100 * y:6.2f}  diff {100 * (y - x):+.2f}")
print(f"largest difference: {100 * worst:.2f} points (target: at most 0.10)")
sys.exit(0 if worst <= 0.001 else 1)
PY

  echo "== bench_pipeline --device cuda:0"
  $bin/bench_pipeline models/en_ewt_sm --device cuda:0 --min-words 2000000 --threads 2 --reps 2 \
    >"$out/bench_pipeline.txt" 2>&1 || status=1
  cat "$out/bench_pipeline.txt"
fi

if [[ $stage == train ]]; then
  echo "== weft train on cuda:0 (the shipped config) and on one CPU thread (first 300 steps)"
  /usr/bin/time -v $bin/weft train models/configs/en_ewt_sm.json --device cuda:0 --output "$out/train_gpu" \
    >"$out/train_gpu.log" 2>"$out/train_gpu.time" || status=1
  tail -5 "$out/train_gpu.log"
  $bin/weft train models/configs/en_ewt_sm.json --output "$out/train_cpu" --set training.max_steps=300 \
    --set training.eval_frequency=300 >"$out/train_cpu.log" 2>&1 || status=1
  tail -3 "$out/train_cpu.log"
fi
exit $status
