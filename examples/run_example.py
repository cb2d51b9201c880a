#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Runs an API sample of examples/ against a real gregor-server and checks
its output, so the programs the book quotes keep working.

    run_example.py producer <gregor-server> <gregor-topics> <gregor-example-producer> <source dir>
    run_example.py consumer <gregor-server> <gregor-topics> <gregor-example-producer>
                   <gregor-example-consumer> <source dir>

producer: gregor-topics creates `orders` with 3 partitions; the example
sends alice, carol, dave, alice to it and must exit 0 with "4 sent, 0
failed". Each key must land where Kafka's Java client puts it (murmur2:
alice 0, dave 1, carol 2, as chapter 03 shows), and alice's two records
at offsets 0 and 1 of partition 0, in send order.

consumer: the producer example fills `orders` as above; the consumer
example, in group `hello`, must read the 4 records exactly as they were
placed (alice's two in order) and exit 0 with "4 read"; then
gregor-consumer-groups --describe must show what it committed after
processing: partitions 0, 1, 2 at offsets 2, 1, 1, lag 0.
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


def check_consumer(server, topics, producer, consumer, source):
    with GregorBroker(server, source) as broker:
        subprocess.run([topics, '--bootstrap-server', broker.bootstrap, '--create', '--topic',
                        'orders', '--partitions', '3'], check=True, timeout=60)
        subprocess.run([producer, broker.bootstrap, 'orders'], check=True, timeout=120,
                       stdout=subprocess.DEVNULL)
        out = subprocess.run([consumer, broker.bootstrap, 'orders', 'hello', '4'],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=120)
        print(out.stdout, end='')
        if out.returncode != 0 or '4 read' not in out.stdout:
            raise AssertionError('example failed (%d): %s' % (out.returncode, out.stderr[-2000:]))
        got = sorted(re.findall(r'^orders-(\d+)@(\d+) (\w+)=hello from \w+$', out.stdout, re.M))
        want = [('0', '0', 'alice'), ('0', '1', 'alice'), ('1', '0', 'dave'), ('2', '0', 'carol')]
        if got != want:
            raise AssertionError('records %s, expected %s' % (got, want))
        # The group's commits: committed offsets per partition via the tool.
        groups = os.path.join(os.path.dirname(topics), 'gregor-consumer-groups')
        desc = subprocess.run([groups, '--bootstrap-server', broker.bootstrap, '--describe',
                               '--group', 'hello'], stdout=subprocess.PIPE, text=True,
                              timeout=60)
        print(desc.stdout, end='')
        committed = sorted(re.findall(r'^hello\s+orders\s+(\d)\s+(\d+)\s+(\d+)\s+0\s',
                                      desc.stdout, re.M))
        if committed != [('0', '2', '2'), ('1', '1', '1'), ('2', '1', '1')]:
            raise AssertionError('committed offsets %s' % committed)
    print('PASS example consumer')


if __name__ == '__main__':
    if len(sys.argv) == 6 and sys.argv[1] == 'producer':
        check_producer(*sys.argv[2:])
    elif len(sys.argv) == 7 and sys.argv[1] == 'consumer':
        check_consumer(*sys.argv[2:])
    else:
        sys.exit(__doc__)
