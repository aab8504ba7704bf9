#!/usr/bin/env bash
# The main command: installs dependencies, builds, and runs eta's main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target tensor_demo
./build/examples/tensor_demo
