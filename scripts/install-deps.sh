#!/usr/bin/env bash
# Installs the Debian 12 packages helix builds against. Idempotent: when every
# package is already present it returns at once without touching apt.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev          # LibTorch 1.13 (CPU)
  libopenblas0-pthread  # without it Debian's libtorch uses reference BLAS (~75x slower matmul)
  libopenblas0-openmp   # the OpenMP build, which helix's executables prefer (shares LibTorch's threads)
  libgloo-dev           # headers that c10d's ProcessGroupGloo.hpp includes
  libhts-dev zlib1g-dev # FASTA/faidx/bgzf
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libspdlog-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format
  jq                    # make bench-gue reads metrics.json files
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when they are missing or a first attempt fails.
if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
