#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer target of a GREGOR_FUZZ=ON build (`make fuzz`):
#
#   bash scripts/run-fuzzers.sh BUILD_DIR
#
#   FUZZ_SECONDS=60   fuzzing time per target (CI: 60)
#   FUZZ_JOBS=2       targets fuzzed at once (the CI machine has 2 cores)
#   FUZZ_TARGETS=""   only these targets (names, e.g. "request record_batch");
#                     empty: every fuzz/*_fuzzer.cpp
#   FUZZ_KEEP=0       1: merge what the run found back into the kept corpus
#                     fuzz/corpus/<name>/ (-merge=1 keeps only inputs that
#                     add coverage), so the next run resumes from there
#
# A long run that resumes from and grows the kept corpus:
#
#   FUZZ_SECONDS=3600 FUZZ_KEEP=1 make fuzz
#
# For each fuzz/<name>_fuzzer.cpp: replay the kept corpus fuzz/corpus/<name>/
# once (-runs=0), then fuzz for FUZZ_SECONDS starting from a temporary copy
# of it; without FUZZ_KEEP new inputs never land in the repository. Any
# crash, leak, sanitizer report, timeout (-timeout) or allocation over
# -malloc_limit_mb fails the script; the crashing input is kept in
# BUILD_DIR/fuzz/artifacts/<name>/ for replay with the fuzzer binary.
# Each run appends "date target seconds executions" to
# BUILD_DIR/fuzz/executions.log, the tally behind the book's figures.
#
# -malloc_limit_mb=64 turns "no unbounded allocation" into a crash: the
# targets cap decompression at 1 MiB, so no single allocation comes near it.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR   (a build configured with -DGREGOR_FUZZ=ON)" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-2}
keep=${FUZZ_KEEP:-0}
root=$(cd "$(dirname "$0")/.." && pwd)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
if [[ -z ${ASAN_SYMBOLIZER_PATH:-} ]] && command -v llvm-symbolizer >/dev/null; then
  export ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/gregor-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

shopt -s nullglob
sources=("$root"/fuzz/*_fuzzer.cpp)
if [[ ${#sources[@]} -eq 0 ]]; then
  echo "run-fuzzers: no fuzz/*_fuzzer.cpp" >&2
  exit 1
fi
names=()
for src in "${sources[@]}"; do
  fuzzer=$(basename "$src" .cpp)           # record_batch_fuzzer
  name=${fuzzer%_fuzzer}                   # record_batch
  if [[ -n ${FUZZ_TARGETS:-} && " $FUZZ_TARGETS " != *" $name "* ]]; then
    continue
  fi
  if [[ ! -x $build/fuzz/$fuzzer ]]; then
    echo "run-fuzzers: $build/fuzz/$fuzzer missing; build it with: cmake --build $1 --target fuzz" >&2
    exit 1
  fi
  if [[ ! -d $root/fuzz/corpus/$name ]]; then
    echo "run-fuzzers: seed corpus $root/fuzz/corpus/$name missing" >&2
    exit 1
  fi
  names+=("$name")
done

# Replays, fuzzes and (FUZZ_KEEP=1) merges one target; output to its log.
fuzz_one() {
  local name=$1
  local bin=$build/fuzz/${name}_fuzzer
  local seeds=$root/fuzz/corpus/$name
  local artifacts=$build/fuzz/artifacts/$name
  mkdir -p "$artifacts" "$work/$name"
  cp -R "$seeds"/. "$work/$name"/
  local flags=(-rss_limit_mb=2048 -malloc_limit_mb=64 -timeout=25 -max_len=65536
               -artifact_prefix="$artifacts/" -print_final_stats=1)
  echo "== ${name}_fuzzer: replaying $(ls "$seeds" | wc -l) seeds"
  "$bin" "${flags[@]}" -runs=0 "$seeds"
  echo "== ${name}_fuzzer: fuzzing for ${seconds}s"
  "$bin" "${flags[@]}" -max_total_time="$seconds" "$work/$name"
  if [[ $keep == 1 ]]; then
    echo "== ${name}_fuzzer: merging new inputs into $seeds"
    "$bin" "${flags[@]}" -merge=1 "$seeds" "$work/$name"
  fi
}

# Runs fuzz_one NAME in the background, its output to $work/NAME.log.
declare -A pid_of=()
start() {
  local name=$1
  fuzz_one "$name" >"$work/$name.log" 2>&1 &
  pid_of[$!]=$name
}

# Reports one finished target; returns its exit status.
finish() {
  local name=$1 status=$2
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$name.log" | tail -1 |
          grep -o '[0-9]*$' || echo 0)
  echo "$(date -u +%FT%TZ) ${name}_fuzzer ${seconds} ${execs:-0}" >>"$build/fuzz/executions.log"
  if [[ $status -ne 0 ]]; then
    echo "== ${name}_fuzzer FAILED (exit $status); its log:"
    tail -n 80 "$work/$name.log"
    return 1
  fi
  echo "== ${name}_fuzzer: no crash in ${seconds}s, ${execs:-0} executions"
}

if [[ ${#names[@]} -eq 0 ]]; then
  echo "run-fuzzers: FUZZ_TARGETS='${FUZZ_TARGETS:-}' names no target" >&2
  exit 1
fi
failed=0
queue=("${names[@]}")
while [[ ${#queue[@]} -gt 0 || ${#pid_of[@]} -gt 0 ]]; do
  while [[ ${#queue[@]} -gt 0 && ${#pid_of[@]} -lt $jobs ]]; do
    start "${queue[0]}"
    queue=("${queue[@]:1}")
  done
  status=0
  wait -n -p done_pid "${!pid_of[@]}" || status=$?
  finish "${pid_of[$done_pid]}" "$status" || failed=1
  unset "pid_of[$done_pid]"
done
if [[ $failed -ne 0 ]]; then
  echo "run-fuzzers: a fuzzer failed (inputs in $build/fuzz/artifacts/)" >&2
  exit 1
fi
echo "run-fuzzers: ${#names[@]} targets, ${seconds}s each, no crash"
