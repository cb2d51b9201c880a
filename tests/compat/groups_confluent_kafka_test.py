#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""confluent-kafka-python (Debian 1.7.0, system librdkafka) consumer groups
against a real gregor-server (chapter 06).

Three Consumers, each in a process of its own (groups_harness.py), subscribe
to a 6-partition topic holding 500 records per partition:

  split      the group settles at 2/2/2, every record is read exactly once
             across the group by the member owning its partition; one
             member commits synchronously, two asynchronously (on_commit);
  restart    a member closes cleanly (LeaveGroup, the others take its
             partitions at once) and a new one joins the same group; new
             records are read once: every partition resumes at its
             committed offset;
  eviction   one member is SIGKILLed: the survivors get its partitions only
             once its session has expired, measured from the kill;
  admin      AdminClient.list_groups (ListGroups + DescribeGroups; this
             version has no list_consumer_groups/describe_consumer_groups):
             the group is Stable, protocol range, and its members'
             assignments are what the members report.

Members keep librdkafka's default assignors (range,roundrobin; the group
picks range) and commit on revocation.

usage: groups_confluent_kafka_test.py <gregor-server> <source dir>
       groups_confluent_kafka_test.py --member <bootstrap> <topic> <group> <client id>
                                      <session ms> <assignors: range,roundrobin>
                                      [<group.instance.id>]
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gregor_broker import GregorBroker  # noqa: E402
import groups_harness as gh  # noqa: E402

TOPIC = 'groups-confluent'
GROUP = 'confluent-group'
PARTITIONS = 6
PER_PARTITION = 500
SESSION_MS = 3000
HEARTBEAT_MS = 300


def run_member(bootstrap, topic, group, client_id, session_ms, assignors, instance_id=None):
    """Member side: one librdkafka Consumer, paused until "go", commands from stdin;
    a static member (KIP-345) when instance_id is given."""
    from confluent_kafka import Consumer, KafkaError, KafkaException
    gh.member_deadline()
    state = {'go': False, 'dirty': False, 'async': 0}

    def on_commit(err, parts):
        if state['async'] == 0:
            return  # librdkafka reports sync commits here too; those are reported below
        state['async'] -= 1
        if err is not None:
            gh.emit(ev='error', msg='async commit: %s' % err)
            return
        gh.emit(ev='committed', offsets={tp.partition: tp.offset for tp in parts})

    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'client.id': client_id,
                  'enable.auto.commit': False, 'auto.offset.reset': 'earliest',
                  'session.timeout.ms': session_ms, 'heartbeat.interval.ms': HEARTBEAT_MS,
                  'max.poll.interval.ms': 30000, 'fetch.wait.max.ms': 100,
                  'partition.assignment.strategy': assignors, 'on_commit': on_commit,
                  **({'group.instance.id': instance_id} if instance_id else {})})

    def commit():
        try:
            parts = c.commit(asynchronous=False)
        except KafkaException as e:
            if e.args[0].code() == KafkaError._NO_OFFSET:
                return {}
            raise
        state['dirty'] = False
        return {tp.partition: tp.offset for tp in parts}

    def on_assign(consumer, parts):
        consumer.assign(parts)
        if not state['go'] and parts:
            consumer.pause(parts)
        gh.emit(ev='assigned', parts=sorted(tp.partition for tp in parts))

    def on_revoke(consumer, parts):
        try:
            if state['dirty']:
                commit()
        except Exception as e:
            gh.emit(ev='error', msg='commit on revocation: %r' % e)
        gh.emit(ev='revoked', parts=sorted(tp.partition for tp in parts))

    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    commands = gh.Commands()
    gh.emit(ev='ready')
    while True:
        for cmd in commands.pending():
            if cmd == 'go':
                state['go'] = True
                if c.assignment():
                    c.resume(c.assignment())
            elif cmd == 'commit':
                try:
                    gh.emit(ev='committed', offsets=commit())
                except Exception as e:
                    gh.emit(ev='error', msg='commit: %r' % e)
            elif cmd == 'commit_async':
                state['async'] += 1
                c.commit(asynchronous=True)
                state['dirty'] = False
            elif cmd in ('close', 'eof'):
                c.close()
                gh.emit(ev='closed')
                return
        recs = []
        for msg in c.consume(num_messages=1000, timeout=0.1):
            if msg.error():
                gh.emit(ev='error', msg='consume: %s' % msg.error())
                continue
            recs.append([msg.partition(), msg.offset(), msg.value().decode()])
        if recs:
            state['dirty'] = True
            gh.emit(ev='recs', recs=recs)


def member_argv(bootstrap, topic, group, client_id, session_ms=SESSION_MS,
                assignors='range,roundrobin'):
    return [sys.executable, os.path.abspath(__file__), '--member', bootstrap, topic, group,
            client_id, str(session_ms), assignors]


def start_member(members, bootstrap, name, topic=TOPIC, group=GROUP, **kw):
    return members.start(name, member_argv(bootstrap, topic, group, name, **kw))


def admin_checks(bootstrap, members):
    from confluent_kafka.admin import AdminClient
    from kafka.coordinator.protocol import ConsumerProtocolMemberAssignment
    admin = AdminClient({'bootstrap.servers': bootstrap})
    groups = admin.list_groups(timeout=30)
    [g] = [g for g in groups if g.id == GROUP] or [None]
    if g is None:
        raise AssertionError('list_groups: %s not in %r' % (GROUP, [x.id for x in groups]))
    if g.error is not None or g.state != 'Stable' or g.protocol_type != 'consumer' \
            or g.protocol != 'range':
        raise AssertionError('list_groups %s: error %s state %s type %s protocol %s' %
                             (GROUP, g.error, g.state, g.protocol_type, g.protocol))
    described = {}
    for mi in g.members:
        a = ConsumerProtocolMemberAssignment.decode(mi.assignment)
        described[mi.client_id] = sorted(p for t, ps in a.assignment for p in ps if t == TOPIC)
    reported = {m.name: m.assigned for m in members}
    if described != reported:
        raise AssertionError('list_groups assignments %r, members report %r' %
                             (described, reported))
    print('admin: list_groups: %s Stable/range with %s' % (GROUP, described))


def main():
    import confluent_kafka
    server, source = sys.argv[1], sys.argv[2]
    print('confluent-kafka %s on librdkafka %s' % (confluent_kafka.version()[0],
                                                   confluent_kafka.libversion()[0]))
    t_start = time.monotonic()
    with GregorBroker(server, source, overrides=gh.BROKER) as broker, gh.Members() as members:
        b = broker.bootstrap
        live, _ = gh.run_core(b, lambda name: start_member(members, b, name), TOPIC, PARTITIONS,
                              PER_PARTITION, SESSION_MS, HEARTBEAT_MS, 'ck',
                              asynchronous=(1, 2))
        admin_checks(b, live)
        for x in live:
            x.close()
    if broker.exit_code != 0:
        raise AssertionError('gregor-server exited with %s on SIGTERM' % broker.exit_code)
    print('confluent-kafka groups compat: ok (%.1f s)' % (time.monotonic() - t_start))


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == '--member':
        run_member(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]),
                   sys.argv[7], *sys.argv[8:9])
    else:
        main()
