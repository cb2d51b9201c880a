#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""One consumer group of two kafka-python and two confluent-kafka
(librdkafka) members, range assignor only, against a real gregor-server
(chapter 06).

Whichever member the broker makes leader computes the assignment with its
own client's range assignor; both must agree with Kafka's RangeAssignor:
members sorted by member id, each taking a run of consecutive partitions,
the first (partitions % members) one more. Over 7 partitions and 4 members
that is 2, 2, 2, 1. The test checks what every member reports against what
DescribeGroups (kafka-python's admin) says: protocol range, the same
assignment per member, disjoint, complete, in that layout. Then every
record is read once; a kafka-python member leaves and the three left
settle at 3, 2, 2 the same way; new records are read once.

usage: groups_mixed_test.py <gregor-server> <source dir>
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gregor_broker import GregorBroker  # noqa: E402
import groups_harness as gh  # noqa: E402

TOPIC = 'groups-mixed'
GROUP = 'mixed-group'
PARTITIONS = 7
PER_PARTITION = 200
SESSION_MS = 6000


def start(members, b, name):
    script = 'groups_kafka_python_test.py' if name.startswith('kp') else \
        'groups_confluent_kafka_test.py'
    return members.start(name, [sys.executable, os.path.join(HERE, script), '--member', b,
                                TOPIC, GROUP, name, str(SESSION_MS), 'range'])


def check_range(admin, members):
    """The group's assignment as DescribeGroups reports it is Kafka's range layout and
    matches what each member reports. Returns {client id: partitions}."""
    [info] = admin.describe_consumer_groups([GROUP])
    if info.state != 'Stable' or info.protocol != 'range':
        raise AssertionError('describe_consumer_groups: %r' % (info,))
    by_id = {}
    for mi in info.members:
        by_id[mi.member_id] = (mi.client_id, sorted(p for t, ps in mi.member_assignment.assignment
                                                    for p in ps if t == TOPIC))
    reported = {m.name: m.assigned for m in members}
    described = dict(by_id.values())
    if described != reported:
        raise AssertionError('DescribeGroups says %r, the members report %r' %
                             (described, reported))
    n = len(by_id)
    want, nxt = {}, 0
    for i, member_id in enumerate(sorted(by_id)):
        size = PARTITIONS // n + (1 if i < PARTITIONS % n else 0)
        want[by_id[member_id][0]] = list(range(nxt, nxt + size))
        nxt += size
    if described != want:
        raise AssertionError('assignment %r is not the range layout %r (members by id: %r)' %
                             (described, want, sorted(by_id)))
    return described


def main():
    from kafka import KafkaAdminClient
    server, source = sys.argv[1], sys.argv[2]
    t_start = time.monotonic()
    with GregorBroker(server, source, overrides=gh.BROKER) as broker, gh.Members() as members:
        b = broker.bootstrap
        gh.create_topic(b, TOPIC, PARTITIONS)
        expected = gh.produce(b, TOPIC, PARTITIONS, PER_PARTITION)
        admin = KafkaAdminClient(bootstrap_servers=b, request_timeout_ms=30000,
                                 client_id='gregor-groups-admin')
        m = [start(members, b, name) for name in ('kp-a', 'kp-b', 'ck-c', 'ck-d')]
        gh.wait_until(gh.settled(m, PARTITIONS, [2, 2, 2, 1]), 60, '2/2/2/1 assignment', m)
        layout = check_range(admin, m)
        for x in m:
            x.send('go')
        gh.read_all(m, expected, 'mixed split')
        gh.check_commits(m, {p: PER_PARTITION for p in range(PARTITIONS)})
        print('4 members: %s (range, by member id); %d records read once; committed' %
              (layout, len(expected)))

        m[0].close()
        live = m[1:]
        gh.wait_until(gh.settled(live, PARTITIONS, [3, 2, 2]), 30, '3/2/2 after leave', live)
        layout = check_range(admin, live)
        gh.reset_reads(live)
        expected = gh.produce(b, TOPIC, PARTITIONS, 50, start=PER_PARTITION)
        gh.read_all(live, expected, 'mixed after leave')
        gh.check_commits(live, {p: PER_PARTITION + 50 for p in range(PARTITIONS)})
        print('kp-a left: %s; new records read once' % layout)
        for x in live:
            x.close()
        admin.close()
    if broker.exit_code != 0:
        raise AssertionError('gregor-server exited with %s on SIGTERM' % broker.exit_code)
    print('mixed groups compat: ok (%.1f s)' % (time.monotonic() - t_start))


if __name__ == '__main__':
    main()
