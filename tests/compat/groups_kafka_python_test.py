#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""kafka-python 2.0.2 consumer groups against a real gregor-server (chapter 06).

Three KafkaConsumers, each in a process of its own (groups_harness.py),
subscribe to a 6-partition topic holding 500 records per partition:

  split      the group settles at 2/2/2 (disjoint, complete), then every
             record is read exactly once across the group, each by the
             member that owns its partition, and committed (sync);
  leave      one member closes cleanly (LeaveGroup): its partitions move to
             the other two at once (well inside the session timeout); new
             records are read once, nothing before the commit again;
  restart    a new member joins the same group: 2/2/2 again, and new
             records are read once: every partition resumes at its
             committed offset;
  eviction   one member is SIGKILLed (no LeaveGroup): the others get its
             partitions only once its session has expired, measured from
             the kill (groups_harness.check_eviction_time);
  admin      KafkaAdminClient list_consumer_groups, describe_consumer_groups
             (Stable, range, members and assignments as the members report
             them), list_consumer_group_offsets (the end offsets),
             delete_consumer_groups (NON_EMPTY_GROUP while members remain,
             GROUP_ID_NOT_FOUND for an unknown group, then deleted once
             Empty: gone from the list, no offsets left);
  mid-stream a member joins while records are being produced and read: the
             members commit on revocation, and every record is still read
             exactly once across the rebalance;
  broker     on another group, the broker is restarted on its log directory,
  restarts   cleanly and then after a SIGKILL: each time the group is listed,
             its offsets are the last commit, and a new member reads only
             the records produced since.

Members commit on revocation (the classic listener pattern), so a
rebalance in the middle never hands out a partition at a stale offset.
The admin checks run last, after the mid-stream phase.

usage: groups_kafka_python_test.py <gregor-server> <source dir>
       groups_kafka_python_test.py --member <bootstrap> <topic> <group> <client id>
                                   <session ms> <assignors: range,roundrobin>
"""
import os
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gregor_broker import GregorBroker  # noqa: E402
import groups_harness as gh  # noqa: E402

TOPIC = 'groups-kafka-python'
GROUP = 'kafka-python-group'
PARTITIONS = 6
PER_PARTITION = 500
SESSION_MS = 3000
HEARTBEAT_MS = 300


def run_member(bootstrap, topic, group, client_id, session_ms, assignors):
    """Member side: one KafkaConsumer, paused until "go", commands from stdin."""
    from kafka import ConsumerRebalanceListener, KafkaConsumer
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
    gh.member_deadline()
    known = {'range': RangePartitionAssignor, 'roundrobin': RoundRobinPartitionAssignor}
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, client_id=client_id,
                      enable_auto_commit=False, auto_offset_reset='earliest',
                      session_timeout_ms=session_ms, heartbeat_interval_ms=HEARTBEAT_MS,
                      max_poll_interval_ms=30000, fetch_max_wait_ms=100,
                      partition_assignment_strategy=[known[a] for a in assignors.split(',')])
    state = {'go': False, 'dirty': False}

    def commit():
        # What commit() with no argument would commit (the positions after the records
        # poll() returned), taken explicitly so that they can be reported.
        offsets = c._subscription.all_consumed_offsets()
        c.commit(offsets)
        state['dirty'] = False
        return {tp.partition: om.offset for tp, om in offsets.items()}

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            try:
                if state['dirty']:
                    commit()
            except Exception as e:  # the commit decides exactly-once: report it
                gh.emit(ev='error', msg='commit on revocation: %r' % e)
            gh.emit(ev='revoked', parts=sorted(tp.partition for tp in revoked))

        def on_partitions_assigned(self, assigned):
            if not state['go'] and assigned:
                c.pause(*assigned)
            gh.emit(ev='assigned', parts=sorted(tp.partition for tp in assigned))

    c.subscribe([topic], listener=Listener())
    commands = gh.Commands()
    gh.emit(ev='ready')
    while True:
        for cmd in commands.pending():
            if cmd == 'go':
                state['go'] = True
                c.resume(*c.assignment())
            elif cmd in ('commit', 'commit_async'):
                try:
                    gh.emit(ev='committed', offsets=commit())
                except Exception as e:
                    gh.emit(ev='error', msg='commit: %r' % e)
            elif cmd in ('close', 'eof'):
                c.close(autocommit=False)
                gh.emit(ev='closed')
                return
        batch = c.poll(timeout_ms=100, max_records=1000)
        recs = [[tp.partition, r.offset, r.value.decode()] for tp, rs in batch.items()
                for r in rs]
        if recs:
            state['dirty'] = True
            gh.emit(ev='recs', recs=recs)


def member_argv(bootstrap, topic, group, client_id, session_ms=SESSION_MS,
                assignors='range,roundrobin'):
    return [sys.executable, os.path.abspath(__file__), '--member', bootstrap, topic, group,
            client_id, str(session_ms), assignors]


def start_member(members, bootstrap, name, topic=TOPIC, group=GROUP, **kw):
    return members.start(name, member_argv(bootstrap, topic, group, name, **kw))


def admin_checks(bootstrap, members, ends):
    from kafka import KafkaAdminClient
    from kafka.errors import GroupIdNotFoundError, NonEmptyGroupError
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000,
                             client_id='gregor-groups-admin')
    try:
        groups = admin.list_consumer_groups()
        if (GROUP, 'consumer') not in groups:
            raise AssertionError('list_consumer_groups: %r lacks (%s, consumer)' % (groups, GROUP))
        [info] = admin.describe_consumer_groups([GROUP])
        if info.error_code != 0 or info.state != 'Stable' or info.protocol_type != 'consumer' \
                or info.protocol != 'range':
            raise AssertionError('describe_consumer_groups: %r' % (info,))
        described = {}
        for mi in info.members:
            parts = sorted(p for t, ps in mi.member_assignment.assignment for p in ps if t == TOPIC)
            described[mi.client_id] = parts
            if list(mi.member_metadata.subscription) != [TOPIC]:
                raise AssertionError('member %s subscription %r' % (mi.client_id,
                                                                    mi.member_metadata))
        reported = {m.name: m.assigned for m in members}
        if described != reported:
            raise AssertionError('describe_consumer_groups assignments %r, members report %r' %
                                 (described, reported))
        offsets = admin.list_consumer_group_offsets(GROUP)
        got = {tp.partition: om.offset for tp, om in offsets.items() if tp.topic == TOPIC}
        if got != ends:
            raise AssertionError('list_consumer_group_offsets %r, expected %r' % (got, ends))
        print('admin: listed; described Stable/range with %s; offsets %s' % (described, got))

        [(g, err)] = admin.delete_consumer_groups([GROUP])
        if err is not NonEmptyGroupError:
            raise AssertionError('delete_consumer_groups of a live group: %r, expected '
                                 'NON_EMPTY_GROUP' % (err,))
        [(g, err)] = admin.delete_consumer_groups(['no-such-group'])
        if err is not GroupIdNotFoundError:
            raise AssertionError('delete_consumer_groups of an unknown group: %r, expected '
                                 'GROUP_ID_NOT_FOUND' % (err,))
        for m in members:
            m.close()
        [info] = admin.describe_consumer_groups([GROUP])
        if info.state != 'Empty' or info.members:
            raise AssertionError('after every member left: %r' % (info,))
        [(g, err)] = admin.delete_consumer_groups([GROUP])
        if err.errno != 0:
            raise AssertionError('delete_consumer_groups of an empty group: %r' % (err,))
        groups = admin.list_consumer_groups()
        if any(g == GROUP for g, _ in groups):
            raise AssertionError('deleted group still listed: %r' % (groups,))
        offsets = admin.list_consumer_group_offsets(GROUP)
        if offsets:
            raise AssertionError('deleted group still has offsets: %r' % (offsets,))
        print('admin: NON_EMPTY_GROUP while live, GROUP_ID_NOT_FOUND for an unknown group; '
              'Empty group deleted, unlisted, no offsets left')
    finally:
        admin.close()


results = {}


def produce_slowly(bootstrap, start, per_partition, out):
    """per_partition records into each partition over about 3 s (30 chunks), so that a
    rebalance happens while they flow; out['expected'] as gh.produce returns it,
    or out['error']."""
    from kafka import KafkaProducer
    try:
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all', linger_ms=5,
                                 request_timeout_ms=30000, max_block_ms=30000,
                                 client_id='gregor-groups-producer')
    except Exception as e:  # reported by the caller
        out['error'] = repr(e)
        return
    try:
        expected = {}
        chunk = per_partition // 30
        for n in range(start, start + per_partition, chunk):
            expected.update(gh.produce(bootstrap, TOPIC, PARTITIONS, chunk, start=n,
                                       producer=producer))
            time.sleep(0.1)
        out['expected'] = expected
    except Exception as e:
        out['error'] = repr(e)
    finally:
        producer.close(timeout=10)


def broker_restarts(server, source):
    """Committed offsets live in __consumer_offsets: they survive a clean restart of the
    broker and a SIGKILL, on the same log directory (a GregorBroker per life, each
    pointed at one directory of ours by a later log.dirs override)."""
    from kafka import KafkaAdminClient
    topic, group, partitions = TOPIC + '-restart', GROUP + '-restart', 3
    data = tempfile.mkdtemp(prefix='gregor-groups-restart-')
    overrides = dict(gh.BROKER, **{'log.dirs': data})
    try:
        end = 0
        for life, how in enumerate(('first start', 'clean restart', 'restart after SIGKILL')):
            with GregorBroker(server, source, overrides=overrides) as broker, \
                    gh.Members() as members:
                b = broker.bootstrap
                if life == 0:
                    gh.create_topic(b, topic, partitions)
                else:
                    admin = KafkaAdminClient(bootstrap_servers=b, request_timeout_ms=30000,
                                             client_id='gregor-groups-admin')
                    try:
                        offsets = admin.list_consumer_group_offsets(group)
                        listed = admin.list_consumer_groups()
                    finally:
                        admin.close()
                    got = {tp.partition: om.offset for tp, om in offsets.items()}
                    if got != {p: end for p in range(partitions)}:
                        raise AssertionError('after the %s: committed %r, expected %d each' %
                                             (how, got, end))
                    if (group, 'consumer') not in listed:
                        raise AssertionError('after the %s: %s not listed in %r' %
                                             (how, group, listed))
                expected = gh.produce(b, topic, partitions, 50, start=end)
                end += 50
                m = start_member(members, b, 'kp-life-%d' % life, topic=topic, group=group)
                m.send('go')
                gh.wait_until(gh.settled([m], partitions, quiet=0), 30, 'assignment', [m])
                gh.read_all([m], expected, 'after the ' + how)
                gh.check_commits([m], {p: end for p in range(partitions)})
                m.close()
                if life == 1:
                    broker.proc.kill()  # the next life starts after a crash
                    broker.proc.wait(timeout=10)
            if life != 1 and broker.exit_code != 0:
                raise AssertionError('gregor-server exited with %s on SIGTERM' %
                                     broker.exit_code)
            print('broker %s: %s%d new records read once, committed' %
                  (how, 'the group resumed at its commits, ' if life else '', len(expected)))
    finally:
        shutil.rmtree(data, ignore_errors=True)


def main():
    server, source = sys.argv[1], sys.argv[2]
    t_start = time.monotonic()
    with GregorBroker(server, source, overrides=gh.BROKER) as broker, gh.Members() as members:
        b = broker.bootstrap
        gh.create_topic(b, TOPIC, PARTITIONS)
        expected = gh.produce(b, TOPIC, PARTITIONS, PER_PARTITION)
        ends = {p: PER_PARTITION for p in range(PARTITIONS)}

        # split: 2/2/2, every record once, committed.
        m = [start_member(members, b, 'kp-%d' % i) for i in range(3)]
        gh.wait_until(gh.settled(m, PARTITIONS, [2, 2, 2]), 60, '2/2/2 assignment', m)
        for x in m:
            x.send('go')
        gh.read_all(m, expected, 'split')
        gh.check_commits(m, ends)
        print('split: %s; %d records read once; committed' % (gh.assignment_of(m), len(expected)))

        # leave: a clean close hands the partitions over without waiting for a timeout.
        t0 = time.monotonic()
        m[2].close()
        live = m[:2]
        gh.wait_until(gh.settled(live, PARTITIONS, [3, 3], quiet=0), 30, '3/3 after leave', live)
        took = max(x.assigned_at for x in live) - t0
        if took >= SESSION_MS / 1000.0:
            raise AssertionError('leave: reassigned after %.2f s, not before the session timeout'
                                 % took)
        gh.reset_reads(live)
        expected = gh.produce(b, TOPIC, PARTITIONS, 100, start=PER_PARTITION)
        ends = {p: PER_PARTITION + 100 for p in range(PARTITIONS)}
        gh.read_all(live, expected, 'after leave')
        gh.check_commits(live, ends)
        print('leave: reassigned in %.2f s to %s; new records once' %
              (took, gh.assignment_of(live)))

        # restart: same group, resumes at the committed offsets.
        back = start_member(members, b, 'kp-2-restarted')
        back.send('go')
        live = [m[0], m[1], back]
        gh.wait_until(gh.settled(live, PARTITIONS, [2, 2, 2]), 30, '2/2/2 after restart', live)
        gh.reset_reads(live)
        expected = gh.produce(b, TOPIC, PARTITIONS, 100, start=PER_PARTITION + 100)
        ends = {p: PER_PARTITION + 200 for p in range(PARTITIONS)}
        gh.read_all(live, expected, 'after restart')
        gh.check_commits(live, ends)
        print('restart: %s; only the new records read' % gh.assignment_of(live))

        # eviction: a SIGKILLed member is dropped once its session expires.
        victim = m[1]
        orphaned = list(victim.assigned)
        t0 = time.monotonic()
        victim.kill()
        live = [m[0], back]
        gh.wait_until(gh.settled(live, PARTITIONS, [3, 3], quiet=0),
                      SESSION_MS / 1000.0 + 30, '3/3 after kill', live)
        took = max(x.assigned_at for x in live) - t0
        print('eviction: %s (held %s) evicted, survivors reassigned %.2f s after the kill '
              '(session.timeout.ms=%d, heartbeat %d ms)' % (victim.name, orphaned, took,
                                                            SESSION_MS, HEARTBEAT_MS))
        gh.check_eviction_time(took, SESSION_MS, HEARTBEAT_MS)
        gh.reset_reads(live)
        expected = gh.produce(b, TOPIC, PARTITIONS, 100, start=PER_PARTITION + 200)
        ends = {p: PER_PARTITION + 300 for p in range(PARTITIONS)}
        gh.read_all(live, expected, 'after eviction')
        gh.check_commits(live, ends)

        # mid-stream: a member joins while records flow; the others commit on revocation.
        gh.reset_reads(live)
        first = PER_PARTITION + 300
        flow = threading.Thread(target=produce_slowly, args=(b, first, 300, results))
        flow.start()
        joiner = start_member(members, b, 'kp-3-midstream')
        joiner.send('go')
        flow.join(timeout=60)
        if flow.is_alive() or 'error' in results:
            raise AssertionError('producing while the group rebalances: %r' % results)
        everyone = live + [joiner]
        gh.wait_until(gh.settled(everyone, PARTITIONS, [2, 2, 2]), 30, '2/2/2 mid-stream',
                      everyone)
        expected = results['expected']
        gh.read_all(everyone, expected, 'mid-stream', owners_only=False)
        with joiner.lock:
            taken = set(joiner.assigned)
            by_joiner = len(joiner.recs)
        before = sum(1 for x in live for r in x.recs if r[0] in taken)
        if not by_joiner or not before:
            raise AssertionError('mid-stream: the join did not fall inside the stream (%d records '
                                 'read by %s, %d of its partitions\' before it)' %
                                 (by_joiner, joiner.name, before))
        ends = {p: first + 300 for p in range(PARTITIONS)}
        gh.check_commits(everyone, ends)
        joiner.close()
        gh.wait_until(gh.settled(live, PARTITIONS, [3, 3]), 30, '3/3 again', live)
        print('mid-stream: %d records produced while %s joined (its partitions: %d records '
              'before, %d after), each read once across the rebalance' %
              (len(expected), joiner.name, before, by_joiner))

        admin_checks(b, live, ends)
    if broker.exit_code != 0:
        raise AssertionError('gregor-server exited with %s on SIGTERM' % broker.exit_code)
    broker_restarts(server, source)
    print('kafka-python groups compat: ok (%.1f s)' % (time.monotonic() - t_start))


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == '--member':
        run_member(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]),
                   sys.argv[7])
    else:
        main()
