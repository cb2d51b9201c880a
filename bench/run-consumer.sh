#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Chapter 06's consumer comparison: librdkafka (bench/baselines/rdkafka_consume),
# Gregor's consumer when built (skipped with a message otherwise) and kcat
# reading the same 10,000,000 x 100-byte records from one gregor-server,
# >= 5 rounds in rotating order; report in build/bench/consumer-report.md.
# Options pass through to bench/run_consumer.py (--help lists them), e.g.
#   bench/run-consumer.sh --runs 7 --num-records 2000000
#   bench/run-consumer.sh --gregor build/bench/my_consumer --gregor-args '...'
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec /usr/bin/python3 "$here/run_consumer.py" "$@"
