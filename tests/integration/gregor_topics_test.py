#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""gregor-topics against a real gregor-server (chapter 02's client side).

Creates a topic of 3 partitions, lists and describes it (leader 1 on every
partition), checks that the errors come out with Kafka's names and a
non-zero exit (TOPIC_ALREADY_EXISTS, UNKNOWN_TOPIC_OR_PARTITION, a dead
broker's NETWORK_EXCEPTION), then deletes it.

usage: gregor_topics_test.py <gregor-topics> <gregor-server> <source dir>
"""
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'compat'))
from gregor_broker import GregorBroker  # noqa: E402

TOPICS, SERVER, SOURCE = sys.argv[1:4]
failures = []


def topics(bootstrap, *args):
    run = subprocess.run([TOPICS, '--bootstrap-server', bootstrap, *args],
                         capture_output=True, text=True, timeout=60)
    return run.returncode, run.stdout, run.stderr


def check(name, ok, detail=''):
    print('%s %s%s' % ('PASS' if ok else 'FAIL', name, '' if ok else ': ' + detail))
    if not ok:
        failures.append(name)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


with GregorBroker(SERVER, SOURCE) as broker:
    b = broker.bootstrap
    rc, out, err = topics(b, '--create', '--topic', 'orders', '--partitions', '3')
    check('create', rc == 0 and 'Created topic orders.' in out, out + err)

    rc, out, err = topics(b, '--list')
    check('list shows the topic', rc == 0 and 'orders' in out.split(), out + err)

    rc, out, err = topics(b, '--describe', '--topic', 'orders')
    rows = [line for line in out.splitlines() if line.startswith('\tTopic: orders')]
    check('describe shows 3 partitions', rc == 0 and 'PartitionCount: 3' in out and
          len(rows) == 3, out + err)
    check('describe shows leader 1', rows and all('\tLeader: 1\t' in r for r in rows), out)

    rc, out, err = topics(b, '--create', '--topic', 'orders', '--partitions', '3')
    check('create existing -> TOPIC_ALREADY_EXISTS', rc != 0 and 'TOPIC_ALREADY_EXISTS' in err,
          'rc=%d %s' % (rc, err))

    rc, out, err = topics(b, '--delete', '--topic', 'orders')
    check('delete', rc == 0, out + err)

    rc, out, err = topics(b, '--list')
    check('list no longer shows it', rc == 0 and 'orders' not in out.split(), out + err)

    rc, out, err = topics(b, '--describe', '--topic', 'orders')
    check('describe deleted -> UNKNOWN_TOPIC_OR_PARTITION',
          rc != 0 and 'UNKNOWN_TOPIC_OR_PARTITION' in err, 'rc=%d %s' % (rc, err))

    rc, out, err = topics(b, '--delete', '--topic', 'orders')
    check('delete deleted -> UNKNOWN_TOPIC_OR_PARTITION',
          rc != 0 and 'UNKNOWN_TOPIC_OR_PARTITION' in err, 'rc=%d %s' % (rc, err))

rc, out, err = topics('127.0.0.1:%d' % free_port(), '--list')
check('dead broker -> NETWORK_EXCEPTION', rc != 0 and 'NETWORK_EXCEPTION' in err,
      'rc=%d %s' % (rc, err))

rc, out, err = topics('nonsense', '--list')
check('bad bootstrap -> INVALID_CONFIG', rc != 0 and 'INVALID_CONFIG' in err,
      'rc=%d %s' % (rc, err))

print('FAIL: %s' % ', '.join(failures) if failures else 'PASS: gregor-topics')
sys.exit(1 if failures else 0)
