#!/usr/bin/env bash
# Checks eta as its users see it: installs a build into a temporary prefix, copies
# examples/starter out of the tree, configures and builds it there with find_package(eta), runs
# it for a few steps, then builds the same main.cpp with a pkg-config compile line (libeta.so).
# Usage: bash scripts/check-install.sh [build-dir]   (default: build; configured if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${1:-build}
jobs=2
work=$(mktemp -d /tmp/eta-check-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DETA_BUILD_TESTS=OFF -DETA_BUILD_BENCH=OFF \
    -DETA_BUILD_EXAMPLES=OFF >/dev/null
fi
# An install must ship both libraries, whatever the build directory was configured with.
cmake -S . -B "$build" -DETA_BUILD_SHARED=ON -DETA_INSTALL=ON >/dev/null
cmake --build "$build" -j"$jobs" --target eta eta_shared eta_models eta_dist
cmake --install "$build" --prefix "$prefix" >/dev/null
echo "== installed into $prefix"
(cd "$prefix" && find . -type f -o -type l | grep -v '^./include/eta/[a-z]*/' | sort)
echo "   (+ $(find "$prefix/include/eta" -name '*.h' | wc -l) headers under include/eta/)"

# Reads a starter run's output and fails unless it trained: loss fell from the first step to the last.
check_run() {
  local out=$1
  echo "$out"
  echo "$out" | awk '/^step/ { if (first == "") first = $4; last = $4 }
    END { if (first == "" || last + 0 >= first + 0) { print "check-install: loss did not fall (" first " -> " last ")"; exit 1 } }'
}

echo "== starter with find_package(eta), copied out of the tree"
cp -r "$src/examples/starter" "$work/starter"
cmake -S "$work/starter" -B "$work/starter/build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/starter/build" -j"$jobs"
check_run "$("$work/starter/build/starter" 20)"

echo "== starter with pkg-config (links libeta.so)"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$(find "$prefix" -type d -name pkgconfig | head -1)"
libdir=$(pkg-config --variable=libdir eta)
cxx=${CXX:-c++}
set -x
"$cxx" -std=c++20 -O2 -Wall -Wextra -Wpedantic "$work/starter/main.cpp" -o "$work/starter-pc" \
  $(pkg-config --cflags --libs eta-models) -Wl,-rpath,"$libdir"
{ set +x; } 2>/dev/null
# Captured first: `ldd | grep -q` under pipefail fails when grep exits before ldd's last write (SIGPIPE).
loaded=$(ldd "$work/starter-pc")
[[ $loaded == *libeta.so* ]] || { echo "check-install: starter-pc does not load libeta.so:"; echo "$loaded"; exit 1; }
check_run "$("$work/starter-pc" 20)"
echo "check-install: OK"
