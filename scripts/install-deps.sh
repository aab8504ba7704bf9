#!/usr/bin/env bash
# Installs what eta needs on Debian 12 (run as root, or with sudo available). Installs only the
# packages that are missing, so it is fast on a machine that has them.
# Usage: bash scripts/install-deps.sh [--clang] [--mpi] [extra-package...]
#   --clang adds clang 14 with its OpenMP runtime and compiler-rt (sanitizers, libFuzzer): for
#   CXX=clang++ builds and scripts/fuzz.sh.
#   --mpi adds Open MPI (libopenmpi-dev, openmpi-bin): for -DETA_WITH_MPI=ON and mpirun.
set -euo pipefail
packages=(build-essential cmake libopenblas-openmp-dev zlib1g-dev libgtest-dev googletest libbenchmark-dev pkg-config)
while [ $# -gt 0 ]; do
  case "$1" in
    --clang) packages+=(clang libomp-14-dev libclang-rt-14-dev) ;;
    --mpi) packages+=(libopenmpi-dev openmpi-bin) ;;
    *) break ;;
  esac
  shift
done
packages+=("$@")
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)  # no `| grep -q`: SIGPIPE under pipefail
  [[ $status == *"install ok installed"* ]] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
