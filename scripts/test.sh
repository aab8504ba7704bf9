#!/usr/bin/env bash
# The test command: installs dependencies, builds, and runs the whole suite twice — a normal
# Release build with GCC, then an AddressSanitizer + UndefinedBehaviorSanitizer build with Clang
# (so both compilers build and pass everything without a third build) — and runs every libFuzzer
# target, built in that same Clang build, for ETA_FUZZ_SECONDS (20) each. Fails when the core
# (include/ + src/) outgrows its line budget (README, "Architecture").
# Builds with Open MPI (-DETA_WITH_MPI=ON) and runs the data-parallel tests under mpiexec.
# Usage: bash scripts/test.sh [--no-sanitize]   (--no-sanitize: the Release build only, no ASan suite or fuzzers)
# Each phase prints the seconds since the start, so a slow CI run shows where its time went.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
phase() { echo "== $1 (at $(( $(date +%s) - start )) s)"; }
bash scripts/install-deps.sh --clang --mpi
jobs=2
core_lines=$(cat $(find include src -name '*.h' -o -name '*.cpp') | wc -l)
core_budget=18850
echo "== core size: $core_lines lines in include/ + src/ (budget $core_budget)"
if [ "$core_lines" -gt "$core_budget" ]; then
  echo "test.sh: the core has $core_lines lines, over its budget of $core_budget: move code out of the core or justify a new budget in the README" >&2
  exit 1
fi
phase "release build"
# With Open MPI: the dist tests run under mpiexec at 1, 2 and 3 processes. The Clang sanitizer
# build below keeps MPI off, so the one-process backend (the same programs without MPI) is tested too.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DETA_WITH_MPI=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build -j"$jobs" --output-on-failure
phase "install check"
bash scripts/check-install.sh build  # install, then build examples/starter against it (find_package, pkg-config)
if [ "${1:-}" != "--no-sanitize" ]; then
  phase "Clang ASan + UBSan build (with the fuzz targets)"
  CXX=clang++ CC=clang cmake -S . -B build-clang-asan -DCMAKE_BUILD_TYPE=Debug -DETA_SANITIZE=ON -DETA_NATIVE=OFF -DETA_WITH_MPI=OFF \
    -DETA_BUILD_BENCH=OFF -DETA_BUILD_FUZZ=ON -DCMAKE_CXX_FLAGS="-O1" >/dev/null
  cmake --build build-clang-asan -j"$jobs"
  # OpenMP's runtime keeps thread pools alive at exit; LeakSanitizer would report them.
  ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-clang-asan -j"$jobs" --output-on-failure
  phase "fuzzers"
  ETA_FUZZ_BUILD=build-clang-asan ETA_FUZZ_SECONDS="${ETA_FUZZ_SECONDS:-20}" bash scripts/fuzz.sh  # every reader's fuzzer
fi
phase "done"

