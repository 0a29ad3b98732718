#!/usr/bin/env bash
# Installs every Debian package Needlescope needs to build, run and test. Idempotent.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git
  libtorch-dev libopenblas0-openmp            # LibTorch 1.13 (CPU); OpenBLAS is mandatory for speed
  libgloo-dev                                 # Gloo's headers: LibTorch's c10d ProcessGroupGloo (train --nproc)
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev libqt6sql6-sqlite qt6-svg-dev
  libsentencepiece-dev libsqlite3-dev nlohmann-json3-dev
  xvfb xauth                                  # GUI tests and screenshots
  clang-format                                # the format check in .ci/run
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
