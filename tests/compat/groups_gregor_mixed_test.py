#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Gregor's consumer and kafka-python 2.0.2 in one consumer group, against a
real gregor-server (chapter 06).

Each round takes a fresh 6-partition topic and group, and four members:
two gregor_consumer_client processes (Gregor's public consumer API) and
two kafka-python KafkaConsumers (--member below), all with the same
partition.assignment.strategy, so whichever member leads computes the
assignment with its own client's assignor:

  join     the first member starts alone and must get all 6 partitions
           (the first member to join leads, and keeps the lead while it
           stays); then the other three join. The four assignments must be
           disjoint and complete (2, 2, 1, 1), equal to what DescribeGroups
           reports (kafka-python's admin decodes each member's bytes with
           ConsumerProtocolMemberAssignment), and equal to Kafka's rule for
           the members sorted by member id: range gives each a run of
           consecutive partitions, the first (6 % n) one more; roundrobin
           deals partition p to member p % n;
  read     600 records are produced once the group has settled; every one
           is read exactly once across the group, by its partition's
           owner, and the group's committed offsets reach the log end
           (every member commits synchronously after each poll);
  leave    the Gregor member that does not lead closes (LeaveGroup): the
           three left re-split 2, 2, 2 by the same checks; 300 new records
           are read exactly once (so the commits were right);
  leader   only the expected member computed an assignment: Gregor logs
           "leader of group G generation N: assigned with S" (spdlog,
           stderr), and the kafka-python members here use an assignor that
           prints the same line when kafka-python calls it as leader.

The rounds: range and roundrobin, each once with a kafka-python leader and
once with a Gregor leader. Every wait has a deadline; every process is
killed at the end whatever happens (groups_harness.Members).

usage: groups_gregor_mixed_test.py <gregor-server> <gregor_consumer_client> <source dir>
       groups_gregor_mixed_test.py --member <bootstrap> <topic> <group> <client id> <strategy>
"""
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gregor_broker import GregorBroker  # noqa: E402
import groups_harness as gh  # noqa: E402

PARTITIONS = 6
PER_PARTITION = 100
SESSION_MS = 6000
HEARTBEAT_MS = 300
MAX_POLL_MS = 30000
LEADER_LINE = re.compile(r'leader of group (\S+) .*assigned with (\S+)')


def run_member(bootstrap, topic, group, client_id, strategy):
    """Member side: one KafkaConsumer that commits after every poll with records."""
    from kafka import ConsumerRebalanceListener, KafkaConsumer
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
    gh.member_deadline()
    base = {'range': RangePartitionAssignor, 'roundrobin': RoundRobinPartitionAssignor}[strategy]

    class Announcing(base):
        """kafka-python's own assignor; says so on stderr when called as leader."""
        @classmethod
        def assign(cls, cluster, member_metadata):
            sys.stderr.write('kafka-python: leader of group %s (%d members): assigned with %s\n'
                             % (group, len(member_metadata), cls.name))
            sys.stderr.flush()
            return super(Announcing, cls).assign(cluster, member_metadata)

    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, client_id=client_id,
                      enable_auto_commit=False, auto_offset_reset='earliest',
                      session_timeout_ms=SESSION_MS, heartbeat_interval_ms=HEARTBEAT_MS,
                      max_poll_interval_ms=MAX_POLL_MS, fetch_max_wait_ms=100,
                      partition_assignment_strategy=[Announcing])

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            gh.emit(ev='revoked', parts=sorted(tp.partition for tp in revoked))

        def on_partitions_assigned(self, assigned):
            gh.emit(ev='assigned', parts=sorted(tp.partition for tp in assigned))

    c.subscribe([topic], listener=Listener())
    commands = gh.Commands()
    gh.emit(ev='ready')
    while True:
        if any(cmd in ('close', 'eof') for cmd in commands.pending()):
            c.close(autocommit=False)
            gh.emit(ev='closed')
            return
        batch = c.poll(timeout_ms=100, max_records=1000)
        recs = [[tp.partition, r.offset, r.value.decode()] for tp, rs in batch.items()
                for r in rs]
        if recs:
            gh.emit(ev='recs', recs=recs)
            try:
                c.commit(c._subscription.all_consumed_offsets())
            except Exception as e:  # exactly-once rests on it: report it
                gh.emit(ev='error', msg='commit: %r' % e)


class LeaderWatch:
    """Counts the leader lines a member writes to stderr (self.leads)."""

    def _read_err(self):
        for line in self.proc.stderr:
            if LEADER_LINE.search(line):
                with self.lock:
                    self.leads += 1
                    self.lock.notify_all()
            self.stderr.append(line.rstrip())
            del self.stderr[:-200]


class KafkaPythonMember(LeaderWatch, gh.Member):
    def __init__(self, name, argv):
        self.leads = 0
        gh.Member.__init__(self, name, argv)


class GregorMember(LeaderWatch, gh.Member):
    """A gregor_consumer_client; its text lines feed the harness's fields."""

    def __init__(self, name, argv, topic):
        self.leads = 0
        self.topic = topic
        gh.Member.__init__(self, name, argv)

    def _parts(self, text):
        out = []
        for tp in filter(None, text.split(',')):
            t, p = tp.rsplit('-', 1)
            if t != self.topic:
                self.errors.append('partition of another topic: ' + tp)
            out.append(int(p))
        return sorted(out)

    def _read(self):
        for line in self.proc.stdout:
            kind, _, rest = line.rstrip('\n').partition(' ')
            now = time.monotonic()
            with self.lock:
                if kind == 'ASSIGNED':
                    self.assigned = self._parts(rest)
                    self.assigned_at = now
                    self.assignments += 1
                elif kind == 'REC':
                    t, p, o, v = rest.split(' ', 3)
                    self.recs.append((int(p), int(o), v))
                elif kind == 'CLOSED':
                    self.closed = True
                elif kind == 'ERROR' or kind == 'LOST':
                    self.errors.append(line.rstrip())
                elif kind != 'REVOKED':
                    self.stderr.append('stdout: ' + line.rstrip())
                self.lock.notify_all()

    def close(self, timeout=30):
        """Closing stdin is the client's signal to Close() and exit."""
        self.proc.stdin.close()
        try:
            code = self.proc.wait(timeout=timeout)
        except Exception:
            raise AssertionError('%s did not exit after closing' % self.name)
        if code != 0:
            raise AssertionError('%s exited with %d\n%s' % (self.name, code, self.tail()))
        # The process may be gone before the reader thread has seen its
        # last line: wait for the line itself, not for a live process.
        deadline = time.monotonic() + 5
        with self.lock:
            while not self.closed and time.monotonic() < deadline:
                self.lock.wait(0.1)
            if not self.closed:
                raise AssertionError('%s exited without CLOSED\n%s' % (self.name, self.tail()))


class Round:
    """One group of two Gregor and two kafka-python members on a topic of its own."""

    def __init__(self, ctx, strategy, leader_kind):
        self.ctx = ctx
        self.strategy = strategy
        self.topic = 'gm-%s-%s' % (strategy, leader_kind)
        self.group = 'gm-group-%s-%s' % (strategy, leader_kind)
        self.tag = '%s/%s leads' % (strategy, leader_kind)

    def start(self, name):
        b = self.ctx['bootstrap']
        if name.startswith('kp'):
            m = KafkaPythonMember(name, [sys.executable, os.path.abspath(__file__), '--member',
                                         b, self.topic, self.group, name, self.strategy])
        else:
            m = GregorMember(name, [self.ctx['client'], b, self.group, self.topic,
                                    'client.id=' + name,
                                    'partition.assignment.strategy=' + self.strategy,
                                    'session.timeout.ms=%d' % SESSION_MS,
                                    'heartbeat.interval.ms=%d' % HEARTBEAT_MS,
                                    'max.poll.interval.ms=%d' % MAX_POLL_MS,
                                    'fetch.max.wait.ms=100'], self.topic)
        self.ctx['members'].all.append(m)
        return m

    def check_layout(self, members):
        """DescribeGroups agrees with the members and with Kafka's rule. Returns
        {client id: partitions} and the member ids in order."""
        [info] = self.ctx['admin'].describe_consumer_groups([self.group])
        if info.state != 'Stable' or info.protocol != self.strategy:
            raise AssertionError('%s: describe_consumer_groups: %r' % (self.tag, info))
        by_id = {}
        for mi in info.members:
            topics = mi.member_metadata.subscription
            if list(topics) != [self.topic]:
                raise AssertionError('%s: %s subscribes %r' % (self.tag, mi.client_id, topics))
            parts = mi.member_assignment.assignment  # ConsumerProtocolMemberAssignment
            by_id[mi.member_id] = (mi.client_id, sorted(p for t, ps in parts for p in ps
                                                        if t == self.topic))
        described = dict(by_id.values())
        reported = {m.name: m.assigned for m in members}
        if described != reported:
            raise AssertionError('%s: DescribeGroups says %r, the members report %r' %
                                 (self.tag, described, reported))
        ids = sorted(by_id)
        n = len(ids)
        want = {by_id[i][0]: [] for i in ids}
        if self.strategy == 'range':
            nxt = 0
            for k, member_id in enumerate(ids):
                size = PARTITIONS // n + (1 if k < PARTITIONS % n else 0)
                want[by_id[member_id][0]] = list(range(nxt, nxt + size))
                nxt += size
        else:
            for p in range(PARTITIONS):
                want[by_id[ids[p % n]][0]].append(p)
        if described != want:
            raise AssertionError('%s: assignment %r is not the %s layout %r (members by id: %r)'
                                 % (self.tag, described, self.strategy, want, ids))
        return described, [by_id[i][0] for i in ids]

    def check_leader(self, members, leader, at_least):
        gh.wait_until(lambda: leader.leads >= at_least, 10,
                      '%s: %d leader lines from %s' % (self.tag, at_least, leader.name), members)
        others = {m.name: m.leads for m in members if m is not leader and m.leads}
        if others:
            raise AssertionError('%s: %s should lead, but %r computed assignments too' %
                                 (self.tag, leader.name, others))

    def wait_committed(self, ends, members):
        admin = self.ctx['admin']

        def done():
            got = admin.list_consumer_group_offsets(self.group)
            return {tp.partition: om.offset for tp, om in got.items()} == ends
        gh.wait_until(done, 15, '%s: committed offsets %r' % (self.tag, ends), members, poll=0.2)

    def run(self, leader_kind):
        b = self.ctx['bootstrap']
        gh.create_topic(b, self.topic, PARTITIONS)
        order = ['kp-1', 'g-1', 'kp-2', 'g-2'] if leader_kind == 'kp' else \
            ['g-1', 'kp-1', 'g-2', 'kp-2']
        leader = self.start(order[0])
        gh.wait_until(gh.settled([leader], PARTITIONS, quiet=0), 30,
                      '%s: %s alone holding every partition' % (self.tag, leader.name), [leader])
        m = [leader] + [self.start(name) for name in order[1:]]
        gh.wait_until(gh.settled(m, PARTITIONS, [2, 2, 1, 1]), 30,
                      '%s: 2/2/1/1 assignment' % self.tag, m)
        layout, by_id = self.check_layout(m)
        self.check_leader(m, leader, 2)
        expected = gh.produce(b, self.topic, PARTITIONS, PER_PARTITION,
                              producer=self.ctx['producer'])
        gh.read_all(m, expected, self.tag + ': 4 members', timeout=30)
        self.wait_committed({p: PER_PARTITION for p in range(PARTITIONS)}, m)
        print('%s: %s (by member id %s); %d records read once; committed; '
              'leader lines %s' % (self.tag, layout, by_id, len(expected),
                                   {x.name: x.leads for x in m}))

        leaver = next(x for x in m if x.name.startswith('g') and x is not leader)
        leads_before = leader.leads
        t0 = time.monotonic()
        leaver.close()
        live = [x for x in m if x is not leaver]
        gh.wait_until(gh.settled(live, PARTITIONS, [2, 2, 2], quiet=0), 30,
                      '%s: 2/2/2 after %s left' % (self.tag, leaver.name), live)
        took = max(x.assigned_at for x in live) - t0
        if took >= SESSION_MS / 1000.0:
            raise AssertionError('%s: re-split %.1f s after %s closed: no LeaveGroup?' %
                                 (self.tag, took, leaver.name))
        gh.wait_until(gh.settled(live, PARTITIONS, [2, 2, 2]), 30,
                      '%s: 2/2/2 quiet' % self.tag, live)
        layout, by_id = self.check_layout(live)
        self.check_leader(live, leader, leads_before + 1)
        gh.reset_reads(live)
        expected = gh.produce(b, self.topic, PARTITIONS, 50, start=PER_PARTITION,
                              producer=self.ctx['producer'])
        gh.read_all(live, expected, self.tag + ': after leave', timeout=30)
        self.wait_committed({p: PER_PARTITION + 50 for p in range(PARTITIONS)}, live)
        print('%s: %s left, re-split in %.2f s; %s (by member id %s); %d new records read '
              'once; leader lines %s' % (self.tag, leaver.name, took, layout, by_id, len(expected),
                                   {x.name: x.leads for x in live}))
        for x in live:
            x.close()


def main():
    if sys.argv[1] == '--member':
        run_member(*sys.argv[2:7])
        return
    from kafka import KafkaAdminClient, KafkaProducer
    server, client, source = sys.argv[1], sys.argv[2], sys.argv[3]
    t_start = time.monotonic()
    with GregorBroker(server, source, overrides=gh.BROKER) as broker, gh.Members() as members:
        b = broker.bootstrap
        admin = KafkaAdminClient(bootstrap_servers=b, request_timeout_ms=30000,
                                 client_id='gregor-groups-admin')
        producer = KafkaProducer(bootstrap_servers=b, acks='all', linger_ms=5,
                                 request_timeout_ms=30000, max_block_ms=30000,
                                 client_id='gregor-groups-producer')
        ctx = {'bootstrap': b, 'client': client, 'members': members, 'admin': admin,
               'producer': producer}
        try:
            for strategy in ('range', 'roundrobin'):
                for leader_kind in ('kp', 'gregor'):
                    Round(ctx, strategy, leader_kind).run(leader_kind)
        finally:
            producer.close(timeout=10)
            admin.close()
    if broker.exit_code != 0:
        raise AssertionError('gregor-server exited with %s on SIGTERM' % broker.exit_code)
    took = time.monotonic() - t_start
    print('gregor + kafka-python groups compat: ok (%.1f s)' % took)
    if took > 60:
        raise AssertionError('took %.1f s, more than 60' % took)


if __name__ == '__main__':
    main()
