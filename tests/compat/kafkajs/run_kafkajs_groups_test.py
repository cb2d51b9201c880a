#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""kafkajs 2.2.4 consumer groups against a real gregor-server (chapter 06).

    run_kafkajs_groups_test.py <gregor-server> <source dir> <dir>

<dir> is the build-tree copy of this directory where the kafkajs_npm_ci
test ran `npm ci`. Each member is `node kafkajs_groups_test.js` in a process
of its own (eachMessage, autoCommit off, commitOffsets on command, a
partition paused until the test says go), driven through groups_harness.py:
three members over a 6-partition topic settle at 2/2/2 (kafkajs's
round-robin assigner), read every record once and commit; one disconnects
(LeaveGroup) and a new one joins, and new records are read once (resumed
at the commits); one is SIGKILLed and evicted once its session expired.
"""
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from gregor_broker import GregorBroker  # noqa: E402
import groups_harness as gh  # noqa: E402

TOPIC = 'groups-kafkajs'
GROUP = 'kafkajs-group'
PARTITIONS = 6
PER_PARTITION = 500
SESSION_MS = 3000
HEARTBEAT_MS = 300  # kafkajs_groups_test.js


def main():
    server, source, directory = sys.argv[1], sys.argv[2], sys.argv[3]
    script = os.path.join(directory, 'kafkajs_groups_test.js')
    if not os.path.isdir(os.path.join(directory, 'node_modules', 'kafkajs')):
        raise SystemExit('%s has no node_modules/kafkajs: run the kafkajs_npm_ci test first' %
                         directory)
    node = shutil.which('node')
    if not node:
        raise SystemExit('node is not on PATH (scripts/install-deps.sh installs nodejs)')
    t_start = time.monotonic()
    with GregorBroker(server, source, overrides=gh.BROKER) as broker, gh.Members() as members:
        b = broker.bootstrap

        def start(name):
            return members.start(name, [node, script, b, TOPIC, GROUP, name, str(SESSION_MS)])

        live, _ = gh.run_core(b, start, TOPIC, PARTITIONS, PER_PARTITION, SESSION_MS,
                              HEARTBEAT_MS, 'kafkajs')
        for x in live:
            x.close()
    if broker.exit_code != 0:
        raise AssertionError('gregor-server exited with %s on SIGTERM' % broker.exit_code)
    print('kafkajs groups compat: ok (%.1f s)' % (time.monotonic() - t_start))


if __name__ == '__main__':
    main()
