#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages Gregor builds, tests and documents with.
# Idempotent: apt-get runs only when a package is missing, so a warm
# machine pays one dpkg query per package and nothing else.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost-dev libboost-program-options-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev
  doxygen graphviz plantuml default-jre-headless
  clang-16 libfuzzer-16-dev libclang-rt-16-dev
  python3 python3-kafka python3-snappy python3-lz4 python3-zstandard
  python3-confluent-kafka kcat librdkafka-dev
  nodejs npm
)

# Installed, or provided by an installed package (NodeSource's nodejs
# provides and conflicts with Debian's npm: never replace it).
have() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ] && return 0
  local provided
  provided=$(dpkg-query -W -f='${Status}|${Provides}\n' 2>/dev/null |
             sed -n 's/^install ok installed|//p' | tr ',' '\n' | sed 's/ *(.*//; s/^ *//')
  grep -qx -- "$1" <<<"$provided"
}

missing=()
for p in "${packages[@]}"; do
  if ! have "$p"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
