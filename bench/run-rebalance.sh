#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Chapter 06's rebalance time: 3 consumers joining a fresh group at once and
# a 4th joining the Stable group, with group.initial.rebalance.delay.ms 0 and
# 3000, Gregor's consumer (bench/gregor_group_member) beside kafka-python;
# medians of >= 5 runs in build/bench/rebalance-report.md.
# Options pass through to bench/run_rebalance.py (--help lists them), e.g.
#   bench/run-rebalance.sh --runs 7 --delays 3000 --clients gregor
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec /usr/bin/python3 "$here/run_rebalance.py" "$@"
