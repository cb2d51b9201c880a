#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""gregor-consumer-groups against a real gregor-server and a kafka-python group.

A topic of 2 partitions gets 10 records on partition 0 and 6 on partition
1. A kafka-python KafkaConsumer in group GROUP reads and commits offset 4
on partition 0 only, and stays in the group. Then:

  --list                 shows the group;
  --describe             partition 0: CURRENT-OFFSET 4, LOG-END-OFFSET 10,
                         LAG 6, the member's id, host and client id;
                         partition 1: "-" offset and lag, LOG-END-OFFSET 6;
  --members / --state    one member with 2 partitions; Stable, range;
  --reset-offsets        refused while the member is there (Kafka's
                         message, exit 1);
the consumer closes (LeaveGroup), and:
  --describe             "no active members", member columns "-";
  --reset-offsets --to-earliest --execute
                         kafka-python's list_consumer_group_offsets: 0, 0;
  --to-offset 3 on T:0   partition 0 at 3; --to-offset 99 clamps to 10;
  --dry-run              prints the plan, changes nothing;
  --delete               the group is gone from --list and kafka-python's
                         list_consumer_groups; --describe then fails.

Every wait has a timeout; the broker and the consumer are closed at the end.

usage: consumer_groups_tool_test.py <gregor-consumer-groups> <gregor-topics>
                                    <gregor-server> <source dir>
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'compat'))
from gregor_broker import GregorBroker  # noqa: E402
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.structs import OffsetAndMetadata  # noqa: E402

GROUPS, TOPICS, SERVER, SOURCE = sys.argv[1:5]
TOPIC = 'cg-orders'
GROUP = 'cg-tool-group'
CLIENT_ID = 'cg-test-client'
failures = []


def check(name, ok, detail=''):
    print('%s %s%s' % ('PASS' if ok else 'FAIL', name, '' if ok else ': ' + detail))
    if not ok:
        failures.append(name)


def tool(binary, bootstrap, *args):
    run = subprocess.run([binary, '--bootstrap-server', bootstrap, *args],
                         capture_output=True, text=True, timeout=60)
    return run.returncode, run.stdout, run.stderr


def table(out, first_column='GROUP'):
    """The rows under the header line of a printed table, split on spaces."""
    lines = [line.split() for line in out.splitlines() if line.strip()]
    for i, cells in enumerate(lines):
        if cells and cells[0] == first_column:
            return cells, lines[i + 1:]
    return None, []


def rows_by_partition(out):
    header, rows = table(out)
    if header is None:
        return {}
    return {int(r[2]): dict(zip(header, r)) for r in rows if len(r) == len(header)}


def committed(admin):
    return {tp.partition: om.offset
            for tp, om in admin.list_consumer_group_offsets(GROUP).items() if tp.topic == TOPIC}


consumer = admin = None
with GregorBroker(SERVER, SOURCE) as broker:
    b = broker.bootstrap
    try:
        rc, out, err = tool(TOPICS, b, '--create', '--topic', TOPIC, '--partitions', '2')
        check('create topic', rc == 0, out + err)

        producer = KafkaProducer(bootstrap_servers=b, acks='all')
        for i in range(10):
            producer.send(TOPIC, b'p0-%d' % i, partition=0)
        for i in range(6):
            producer.send(TOPIC, b'p1-%d' % i, partition=1)
        producer.flush(timeout=30)
        producer.close(timeout=10)

        consumer = KafkaConsumer(TOPIC, bootstrap_servers=b, group_id=GROUP,
                                 client_id=CLIENT_ID, enable_auto_commit=False,
                                 auto_offset_reset='earliest', fetch_max_wait_ms=100,
                                 session_timeout_ms=10000, heartbeat_interval_ms=500)
        got, deadline = 0, time.monotonic() + 60
        while got == 0 and time.monotonic() < deadline:
            got += sum(len(v) for v in consumer.poll(timeout_ms=500).values())
        check('consumer joined and read', got > 0 and len(consumer.assignment()) == 2,
              'got %d, assignment %s' % (got, consumer.assignment()))
        consumer.commit({TopicPartition(TOPIC, 0): OffsetAndMetadata(4, '')})

        rc, out, err = tool(GROUPS, b, '--list')
        check('--list shows the group', rc == 0 and GROUP in out.split(), out + err)

        rc, out, err = tool(GROUPS, b, '--describe', '--group', GROUP)
        print(out)
        rows = rows_by_partition(out)
        p0, p1 = rows.get(0, {}), rows.get(1, {})
        check('--describe partition 0 offsets and lag',
              rc == 0 and (p0.get('CURRENT-OFFSET'), p0.get('LOG-END-OFFSET'), p0.get('LAG')) ==
              ('4', '10', '6'), out + err)
        check('--describe partition 1 uncommitted',
              (p1.get('CURRENT-OFFSET'), p1.get('LOG-END-OFFSET'), p1.get('LAG')) ==
              ('-', '6', '-'), out)
        check('--describe member columns',
              p0.get('CLIENT-ID') == CLIENT_ID and p0.get('CONSUMER-ID', '').startswith(CLIENT_ID)
              and p0.get('HOST', '-') != '-' and p1.get('CONSUMER-ID') == p0.get('CONSUMER-ID'),
              out)

        rc, out, err = tool(GROUPS, b, '--describe', '--group', GROUP, '--members', '--verbose')
        print(out)
        header, members = table(out)
        check('--members: one member, 2 partitions',
              rc == 0 and len(members) == 1 and members[0][4] == '2' and
              members[0][5] == '%s(0,1)' % TOPIC, out + err)

        rc, out, err = tool(GROUPS, b, '--describe', '--group', GROUP, '--state')
        print(out)
        header, states = table(out)
        check('--state: Stable, range, 1 member',
              rc == 0 and len(states) == 1 and states[0][-3:] == ['range', 'Stable', '1'], out + err)

        rc, out, err = tool(GROUPS, b, '--reset-offsets', '--group', GROUP, '--topic', TOPIC,
                            '--to-earliest', '--execute')
        check('--reset-offsets refused while Stable',
              rc == 1 and "Assignments can only be reset if the group '%s' is inactive, but the "
              "current state is Stable." % GROUP in err and len(err.strip().splitlines()) == 1,
              'rc=%d %s' % (rc, err))

        consumer.close()
        consumer = None
        admin = KafkaAdminClient(bootstrap_servers=b)

        rc, out, err = tool(GROUPS, b, '--describe', '--group', GROUP)
        print(out)
        p0 = rows_by_partition(out).get(0, {})
        check('--describe after close: no members, "-" member columns',
              rc == 0 and 'has no active members' in out and
              (p0.get('CURRENT-OFFSET'), p0.get('LAG'), p0.get('CONSUMER-ID'), p0.get('HOST'),
               p0.get('CLIENT-ID')) == ('4', '6', '-', '-', '-'), out + err)

        rc, out, err = tool(GROUPS, b, '--reset-offsets', '--group', GROUP, '--topic', TOPIC,
                            '--to-earliest', '--execute')
        header, plan = table(out)
        check('--to-earliest --execute plan',
              rc == 0 and header == ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'] and
              sorted(r[2:] for r in plan) == [['0', '0'], ['1', '0']], out + err)
        check('kafka-python sees 0, 0', committed(admin) == {0: 0, 1: 0}, str(committed(admin)))

        rc, out, err = tool(GROUPS, b, '--reset-offsets', '--group', GROUP, '--topic',
                            TOPIC + ':0', '--to-offset', '3', '--execute')
        check('--to-offset 3 on partition 0', rc == 0 and committed(admin) == {0: 3, 1: 0},
              out + err + str(committed(admin)))

        rc, out, err = tool(GROUPS, b, '--reset-offsets', '--group', GROUP, '--all-topics',
                            '--to-offset', '99', '--dry-run')
        header, plan = table(out)
        check('--dry-run prints the clamped plan',
              rc == 0 and sorted(r[2:] for r in plan) == [['0', '10'], ['1', '6']], out + err)
        check('--dry-run changes nothing', committed(admin) == {0: 3, 1: 0},
              str(committed(admin)))

        rc, out, err = tool(GROUPS, b, '--reset-offsets', '--group', GROUP, '--all-topics',
                            '--to-latest', '--execute')
        check('--to-latest --execute', rc == 0 and committed(admin) == {0: 10, 1: 6},
              out + err + str(committed(admin)))
        rc, out, err = tool(GROUPS, b, '--describe', '--group', GROUP)
        rows = rows_by_partition(out)
        check('--describe lag 0 at the end',
              rc == 0 and [rows.get(p, {}).get('LAG') for p in (0, 1)] == ['0', '0'], out + err)

        rc, out, err = tool(GROUPS, b, '--delete', '--group', GROUP)
        check('--delete', rc == 0 and "Deletion of requested consumer groups ('%s') was "
              "successful." % GROUP in out, out + err)
        rc, out, err = tool(GROUPS, b, '--list')
        check('--list no longer shows it', rc == 0 and GROUP not in out.split(), out + err)
        check('kafka-python list_consumer_groups no longer shows it',
              GROUP not in [g for g, _ in admin.list_consumer_groups()])
        rc, out, err = tool(GROUPS, b, '--describe', '--group', GROUP)
        check('--describe deleted group fails', rc == 1 and 'does not exist' in err,
              'rc=%d %s' % (rc, err))
        rc, out, err = tool(GROUPS, b, '--delete', '--group', GROUP)
        check('--delete again -> GROUP_ID_NOT_FOUND', rc == 1 and 'GROUP_ID_NOT_FOUND' in err and
              len(err.strip().splitlines()) == 1, 'rc=%d %s' % (rc, err))

        rc, out, err = tool(GROUPS, b, '--describe')
        check('usage error -> exit 1, one line', rc == 1 and len(err.strip().splitlines()) == 1,
              'rc=%d %s' % (rc, err))
    finally:
        if consumer is not None:
            consumer.close(autocommit=False)
        if admin is not None:
            admin.close()

print('FAIL: %s' % ', '.join(failures) if failures else 'PASS: gregor-consumer-groups')
sys.exit(1 if failures else 0)
