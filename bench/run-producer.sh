#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Chapter 03's producer comparison: gregor-producer-perf-test against the
# librdkafka baseline into one gregor-server, >= 5 alternating runs of
# 1,000,000 x 100-byte records, acks=1; report in build/bench/producer-report.md.
# Options pass through to bench/run_producer.py (--help lists them), e.g.
#   bench/run-producer.sh --runs 7 --linger-ms 10 --batch-size 131072
#   bench/run-producer.sh --only-baseline
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec /usr/bin/python3 "$here/run_producer.py" "$@"
