#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Runs an API sample of examples/ against a real gregor-server and checks
its output, so the programs the book quotes keep working.

    run_example.py producer <gregor-server> <gregor-topics> <gregor-example-producer> <source dir>

producer: gregor-topics creates `orders` with 3 partitions; the example
sends alice, carol, dave, alice to it and must exit 0 with "4 sent, 0
failed". Each key must land where Kafka's Java client puts it (murmur2:
alice 0, dave 1, carol 2, as chapter 03 shows), and alice's two records
at offsets 0 and 1 of partition 0, in send order.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests',
                                'compat'))
from gregor_broker import GregorBroker  # noqa: E402


def check_producer(server, topics, example, source):
    with GregorBroker(server, source) as broker:
        subprocess.run([topics, '--bootstrap-server', broker.bootstrap, '--create', '--topic',
                        'orders', '--partitions', '3'], check=True, timeout=60)
        out = subprocess.run([example, broker.bootstrap, 'orders'], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=120)
    print(out.stdout, end='')
    if out.returncode != 0 or '4 sent, 0 failed' not in out.stdout:
        raise AssertionError('example failed (%d): %s' % (out.returncode, out.stderr[-2000:]))
    got = sorted(re.findall(r'^(\w+) -> orders-(\d+)@(\d+)$', out.stdout, re.M))
    want = [('alice', '0', '0'), ('alice', '0', '1'), ('carol', '2', '0'), ('dave', '1', '0')]
    if got != want:
        raise AssertionError('placement %s, expected %s' % (got, want))
    print('PASS example producer')


if __name__ == '__main__':
    if len(sys.argv) != 6 or sys.argv[1] != 'producer':
        sys.exit(__doc__)
    check_producer(*sys.argv[2:])
