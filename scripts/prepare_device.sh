#!/usr/bin/env bash
# Prepares what the GPU machine cannot fetch itself (it has no network and no apt): the header-only
# Eigen and doctest packages, downloaded here and unpacked into .device/root (git-ignored). A session
# then runs scripts/device_nn.sh there through the device tool with carry [".device"].
set -euo pipefail
cd "$(dirname "$0")/.."
root=.device/root
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
