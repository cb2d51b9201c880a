#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The chapter-01 tools end to end: the tour (what `make broker` runs today)
# keeps its log, and gregor-dump-log reads it back: batches, records, index
# entries, and a passing index sanity check; a corrupted index fails it.
set -euo pipefail
tour=$1 dump=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TMPDIR=$work

out=$(timeout 60 "$tour" --keep)
echo "$out" | tail -5
dir=$(ls -d "$work"/gregor-log-tour-*/orders-0)
grep -q "Recover\|recover" <<<"$out" || { echo "tour printed no recovery step"; exit 1; }

seg=$(ls "$dir"/*.log | tail -1)
idx=${seg%.log}.index
data=$(timeout 30 "$dump" --files "$seg" --print-data-log)
grep -q "baseOffset" <<<"$data" || { echo "no batch lines in dump"; exit 1; }
grep -q "user-" <<<"$data" || { echo "no record keys in dump"; exit 1; }
timeout 30 "$dump" --files "$idx" >/dev/null
timeout 30 "$dump" --files "$idx" --index-sanity-check

# A truncated index (not a multiple of 8 bytes) must fail the sanity check.
size=$(stat -c %s "$idx")
if [ "$size" -ge 8 ]; then
  truncate -s $((size - 3)) "$idx"
  if timeout 30 "$dump" --files "$idx" --index-sanity-check; then
    echo "sanity check passed a torn index"; exit 1
  fi
fi
echo "ch01 tools: ok"
