#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer target of a GREGOR_FUZZ=ON build (`make fuzz`):
#
#   bash scripts/run-fuzzers.sh BUILD_DIR        FUZZ_SECONDS=60 by default
#
# For each fuzz/<name>_fuzzer.cpp: replay the seed corpus fuzz/corpus/<name>/
# once (-runs=0), then fuzz for FUZZ_SECONDS starting from a temporary copy
# of it, so new inputs never land in the repository. Any crash, leak,
# sanitizer report, timeout (-timeout) or allocation over -malloc_limit_mb
# fails the script; the crashing input is kept in
# BUILD_DIR/fuzz/artifacts/<name>/ for replay with the fuzzer binary.
#
# -malloc_limit_mb=64 turns "no unbounded allocation" into a crash: the
# targets cap decompression at 1 MiB, so no single allocation comes near it.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR   (a build configured with -DGREGOR_FUZZ=ON)" >&2
  exit 2
fi
build=$1
seconds=${FUZZ_SECONDS:-60}
root=$(cd "$(dirname "$0")/.." && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/gregor-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

shopt -s nullglob
sources=("$root"/fuzz/*_fuzzer.cpp)
if [[ ${#sources[@]} -eq 0 ]]; then
  echo "run-fuzzers: no fuzz/*_fuzzer.cpp" >&2
  exit 1
fi

for src in "${sources[@]}"; do
  fuzzer=$(basename "$src" .cpp)           # record_batch_fuzzer
  name=${fuzzer%_fuzzer}                   # record_batch
  bin=$build/fuzz/$fuzzer
  seeds=$root/fuzz/corpus/$name
  if [[ ! -x $bin ]]; then
    echo "run-fuzzers: $bin missing; build it with: cmake --build $build --target fuzz" >&2
    exit 1
  fi
  if [[ ! -d $seeds ]]; then
    echo "run-fuzzers: seed corpus $seeds missing" >&2
    exit 1
  fi
  artifacts=$build/fuzz/artifacts/$name
  mkdir -p "$artifacts" "$work/$name"
  cp -R "$seeds"/. "$work/$name"/
  flags=(-rss_limit_mb=2048 -malloc_limit_mb=64 -timeout=25 -max_len=65536
         -artifact_prefix="$artifacts/" -print_final_stats=1)

  echo "== $fuzzer: replaying $(ls "$seeds" | wc -l) seeds"
  "$bin" "${flags[@]}" -runs=0 "$seeds"

  echo "== $fuzzer: fuzzing for ${seconds}s"
  "$bin" "${flags[@]}" -max_total_time="$seconds" "$work/$name"
  echo "== $fuzzer: no crash in ${seconds}s"
done
