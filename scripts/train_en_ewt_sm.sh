#!/usr/bin/env bash
# Retrains the shipped English model from the repository's data and config, then replaces
# models/en_ewt_sm with the best checkpoint (its meta.json holds the dev scores and training time).
#   scripts/train_en_ewt_sm.sh [--set KEY=VALUE ...]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/bin/weft ] || scripts/install.sh
out=training/en_ewt_sm
rm -rf "$out"
build/bin/weft train models/configs/en_ewt_sm.json --output "$out" "$@"
rm -rf models/en_ewt_sm
cp -r "$out/model-best" models/en_ewt_sm
build/bin/weft evaluate models/en_ewt_sm data/en_ewt/dev.conllu
