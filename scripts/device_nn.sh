#!/usr/bin/env bash
# Builds and checks the tensor backend and nn layers on the GPU machine, where nothing can be installed:
# Eigen and doctest come from .device/root (made here by scripts/prepare_device.sh; pass carry
# [".device"] to the device tool). Configures a CUDA build for Hopper (sm_90), builds the nn tests and
# benchmarks with every core, runs them, and leaves logs in $OUT (or out/ when OUT is unset).
#   device tool: run(command="scripts/device_nn.sh", carry=[".device"])
# Extra arguments go to the test binary (e.g. -tc='cuda:*').
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-out}
mkdir -p "$out"
root=$PWD/.device/root
eigen_dir=$root/usr/share/eigen3/cmake
doctest_dir=$root/usr/lib/cmake/doctest
if [[ ! -f $eigen_dir/Eigen3Config.cmake || ! -f $doctest_dir/doctestConfig.cmake ]]; then
  echo "device_nn: $root lacks Eigen or doctest: run scripts/prepare_device.sh here first and carry .device" >&2
  exit 2
fi
generator="Unix Makefiles"
command -v ninja >/dev/null && generator=Ninja
jobs=$(nproc)
# Debian's doctestTargets.cmake hard-codes the prefix /usr, so its include directory must be named here.
export CPLUS_INCLUDE_PATH=$root/usr/include${CPLUS_INCLUDE_PATH:+:$CPLUS_INCLUDE_PATH}
export PATH=/usr/local/cuda/bin:/usr/local/cuda/compute-sanitizer:$PATH

{
  echo "== machine"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1
  nvcc --version | tail -1
  cmake --version | head -1
} 2>&1 | tee "$out/device.txt"

echo "== configure"
cmake -S . -B build-gpu -G "$generator" -DCMAKE_BUILD_TYPE=Release -DWEFT_NN_ONLY=ON -DWEFT_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES=90 -DEigen3_DIR="$eigen_dir" -Ddoctest_DIR="$doctest_dir" >"$out/configure.log" 2>&1
rc=$?
tail -5 "$out/configure.log"
[[ $rc -eq 0 ]] || { echo "device_nn: configure failed (rc $rc), see configure.log"; tail -40 "$out/configure.log"; exit $rc; }

echo "== build"
benches=$(find benchmarks/nn -maxdepth 1 -name '*.cpp' -exec basename {} .cpp \; 2>/dev/null | sort)
# shellcheck disable=SC2086
cmake --build build-gpu -j "$jobs" --target weft_nn_tests $benches >"$out/build.log" 2>&1
rc=$?
tail -3 "$out/build.log"
[[ $rc -eq 0 ]] || { echo "device_nn: build failed (rc $rc), see build.log"; grep -m 20 -B2 -A8 -E 'error|Error' "$out/build.log"; exit $rc; }

echo "== tests"
status=0
# The CUDA backend is a module the tests load at start (build-gpu/lib/libweft_cuda.so); where a GPU is
# present, WEFT_EXPECT_CUDA makes a module that cannot load fail the run rather than skip the CUDA cases.
ls -l build-gpu/lib/libweft_cuda.so
expect_cuda=
nvidia-smi -L >/dev/null 2>&1 && expect_cuda=1
WEFT_EXPECT_CUDA=$expect_cuda build-gpu/bin/weft_nn_tests "$@" >"$out/tests.log" 2>&1 || status=$?
grep -E '^\[doctest\] (test cases|assertions|Status)' "$out/tests.log"
if [[ $status -ne 0 ]]; then
  echo "device_nn: tests failed (rc $status); first failures:"
  grep -m 30 -B3 -A12 -E 'ERROR|FATAL' "$out/tests.log"
fi

# Out-of-bounds accesses inside kernels that the harness's guard values cannot see (reads, or writes
# far past an output) show up under compute-sanitizer's memcheck.
if command -v compute-sanitizer >/dev/null; then
  echo "== compute-sanitizer memcheck (cuda:* tests)"
  timeout 300 compute-sanitizer --tool memcheck --error-exitcode 99 build-gpu/bin/weft_nn_tests -tc='cuda:*' \
    >"$out/sanitizer.log" 2>&1
  rc=$?
  grep -E '^\[doctest\] Status|ERROR SUMMARY' "$out/sanitizer.log"
  [[ $rc -eq 0 ]] || { echo "device_nn: memcheck failed (rc $rc), see sanitizer.log"; grep -m 20 -A10 'Invalid' "$out/sanitizer.log"; status=1; }
fi

echo "== benchmarks"
for b in $benches; do
  [[ -x build-gpu/bin/$b ]] || { echo "$b: not built"; status=1; continue; }
  echo "-- $b"
  if ! build-gpu/bin/"$b" >"$out/$b.txt" 2>&1; then
    echo "$b failed"
    status=1
  fi
  tail -40 "$out/$b.txt"
done
# The tok2vec on the GPU, at a batch large enough to fill it.
if nvidia-smi >/dev/null 2>&1 && [[ -x build-gpu/bin/bench_tok2vec ]]; then
  echo "-- bench_tok2vec --device cuda:0 --batch 100000"
  build-gpu/bin/bench_tok2vec --device cuda:0 --batch 100000 >"$out/bench_tok2vec_cuda.txt" 2>&1 || status=1
  cat "$out/bench_tok2vec_cuda.txt"
fi
exit $status
