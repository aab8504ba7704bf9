#!/usr/bin/env bash
# The main command: installs what is missing (with the Fashion-MNIST data package), builds, and
# trains a model on Fashion-MNIST with live progress. Extra arguments go to train_mnist, e.g.
#   bash scripts/demo.sh --model lenet --epochs 3 --plot run.svg
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh dataset-fashion-mnist
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target train_mnist
./build/examples/train_mnist "$@"
