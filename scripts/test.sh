#!/usr/bin/env bash
# The test command: installs dependencies, builds, and runs the whole suite twice — a normal
# Release build, then an AddressSanitizer + UndefinedBehaviorSanitizer build.
# Usage: bash scripts/test.sh [--no-sanitize]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=2
echo "== core size: $(cat include/eta/*.h include/eta/*/*.h src/*.cpp src/*/*.cpp src/*/*.h 2>/dev/null | wc -l) lines in include/ + src/"
echo "== release build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build -j"$jobs" --output-on-failure
bash scripts/check-install.sh build  # install, then build examples/starter against it (find_package, pkg-config)
if [ "${1:-}" != "--no-sanitize" ]; then
  echo "== ASan + UBSan build"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DETA_SANITIZE=ON -DETA_NATIVE=OFF -DETA_BUILD_BENCH=OFF \
    -DCMAKE_CXX_FLAGS="-O1" >/dev/null
  cmake --build build-asan -j"$jobs"
  # OpenMP's runtime keeps thread pools alive at exit; LeakSanitizer would report them.
  ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan -j"$jobs" --output-on-failure
fi
