#!/usr/bin/env bash
# Prepares what the GPU machine cannot fetch itself (it has no network and no apt), in .device/
# (git-ignored), which a session then carries to it through the device tool (carry [".device"]).
#   scripts/prepare_device.sh             the header-only Eigen and doctest packages, unpacked into
#                                          .device/root, for scripts/device_nn.sh (backend and nn only)
#   scripts/prepare_device.sh --pipeline  every library of the whole build (ICU, RE2, simdjson, oneDNN,
#                                          xxHash, CLI11, fmt, nlohmann-json, Eigen, doctest, pkgconf)
#                                          as .deb files in .device/debs (29 MB; unpacked they would be
#                                          141 MB, over the carry limit), which scripts/device_pipeline.sh
#                                          unpacks there
set -euo pipefail
cd "$(dirname "$0")/.."
root=.device/root
if [[ "${1:-}" == "--pipeline" ]]; then
  rm -rf .device/debs
  mkdir -p .device/debs
  (cd .device/debs && apt-get download libeigen3-dev doctest-dev libicu-dev libicu72 libre2-dev libre2-9 \
    libsimdjson-dev libsimdjson14 libdnnl-dev libdnnl2 libxxhash-dev libxxhash0 libcli11-dev libfmt-dev libfmt9 \
    nlohmann-json3-dev pkgconf pkgconf-bin libpkgconf3)
  du -sh .device
  exit 0
fi
mkdir -p .device/debs "$root"
(cd .device/debs && apt-get download libeigen3-dev doctest-dev)
for deb in .device/debs/*.deb; do dpkg -x "$deb" "$root"; done
# The debs are not needed once unpacked; leaving them would make the carried folder larger.
rm -rf .device/debs
eigen_cmake=$(dirname "$(find "$root" -name Eigen3Config.cmake -print -quit)")
doctest_cmake=$(dirname "$(find "$root" -name doctestConfig.cmake -print -quit)")
[[ -d $eigen_cmake && -d $doctest_cmake ]] || { echo "prepare_device: Eigen3Config.cmake or doctestConfig.cmake missing under $root" >&2; exit 1; }
echo "Eigen3_DIR=$eigen_cmake"
echo "doctest_DIR=$doctest_cmake"
du -sh .device
