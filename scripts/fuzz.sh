#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan) and runs each
# for a bounded time, starting from its seed corpus tests/fuzz/corpus/<name>/ when there is one
# (copied to a temporary directory, so the runs never write into the repository). Fails if any
# target crashes, times out, or prints a sanitizer report; the crashing input is kept in
# <build>/artifacts/. scripts/test.sh runs it on its Clang ASan build (ETA_FUZZ_BUILD=build-clang-asan,
# configured there with -DETA_BUILD_FUZZ=ON); alone it configures build-fuzz with just the targets.
# Usage: [ETA_FUZZ_SECONDS=60] [ETA_FUZZ_BUILD=dir] bash scripts/fuzz.sh [target...]   (default: every target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${ETA_FUZZ_SECONDS:-60}"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: ETA_FUZZ_SECONDS is '$seconds', expected a positive number of seconds" >&2; exit 2; }
command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (bash scripts/install-deps.sh --clang)" >&2; exit 2; }
jobs=2

# The targets are the ones tests/fuzz/CMakeLists.txt builds: its foreach(target ...) list.
read -r -a all_targets <<<"$(sed -n 's/^foreach(target \(.*\))$/\1/p' tests/fuzz/CMakeLists.txt)"
[ ${#all_targets[@]} -gt 0 ] || { echo "fuzz.sh: no foreach(target ...) list in tests/fuzz/CMakeLists.txt" >&2; exit 2; }
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi

build="${ETA_FUZZ_BUILD:-build-fuzz}"
echo "== fuzz build (clang, ASan + UBSan) in $build: ${targets[*]}"
if [ -z "${ETA_FUZZ_BUILD:-}" ]; then
  CXX=clang++ cmake -S . -B "$build" -DETA_BUILD_FUZZ=ON -DETA_SANITIZE=ON -DETA_NATIVE=OFF -DETA_BUILD_TESTS=OFF \
    -DETA_BUILD_BENCH=OFF -DETA_BUILD_EXAMPLES=OFF >/dev/null
elif ! grep -q '^ETA_BUILD_FUZZ:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "fuzz.sh: ETA_FUZZ_BUILD=$build is not a build configured with -DETA_BUILD_FUZZ=ON" >&2; exit 2
fi
cmake --build "$build" -j"$jobs" --target "${targets[@]}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
artifacts="$PWD/$build/artifacts"
mkdir -p "$artifacts"
failed=()
for t in "${targets[@]}"; do
  corpus="$work/$t-corpus"
  mkdir -p "$corpus"
  seeds="tests/fuzz/corpus/${t#fuzz_}"
  [ -d "$seeds" ] && cp -R "$seeds"/. "$corpus"/
  log="$work/$t.log"
  echo "== $t: ${seconds} s from $( [ -d "$seeds" ] && echo "$seeds" || echo "an empty corpus")"
  status=0
  # -timeout: one input running this long counts as a hang. UBSan aborts on its first report
  # (-fno-sanitize-recover), ASan always does; the grep catches any report that did not.
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$build/tests/fuzz/$t" -max_total_time="$seconds" \
    -timeout=30 -artifact_prefix="$artifacts/$t-" "$corpus" >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ] || grep -qE "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:" "$log"; then
    echo "!! $t failed (exit $status); the end of its log:"
    tail -n 40 "$log"
    ls "$artifacts/$t-"* 2>/dev/null | sed 's/^/   input kept: /' || true
    failed+=("$t")
  else
    grep -E "^Done [0-9]+ runs" "$log" | sed "s/^/   /" || true
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: ${#targets[@]} targets ran ${seconds} s each without a crash or sanitizer report"
