#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Static group membership (KIP-345, JoinGroup v5+) with confluent-kafka
(librdkafka) against a real gregor-server (chapter 06).

Two Consumers with group.instance.id static-a and static-b share a
4-partition topic (2/2), read every record once and commit. Then:

  close      static-a closes: a static member sends no LeaveGroup, so nothing
             moves (static-b sees no new assignment); restarted with the
             same group.instance.id well inside its session timeout, it
             gets its old partitions back at once, without a rebalance
             (static-b still sees none), and resumes at its commits;
  kill       static-b is SIGKILLed and restarted the same way: the same;
  expiry     the restarted static-b is SIGKILLed for good: only when its
             session expires does static-a take all four partitions.

usage: groups_static_confluent_test.py <gregor-server> <source dir>
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gregor_broker import GregorBroker  # noqa: E402
import groups_harness as gh  # noqa: E402

TOPIC = 'groups-static'
GROUP = 'static-group'
PARTITIONS = 4
SESSION_MS = 6000
HEARTBEAT_MS = 300  # groups_confluent_kafka_test.py


def start(members, b, name, instance):
    script = os.path.join(HERE, 'groups_confluent_kafka_test.py')
    return members.start(name, [sys.executable, script, '--member', b, TOPIC, GROUP, name,
                                str(SESSION_MS), 'range,roundrobin', instance])


def rejoin(members, b, gone, other, instance, what):
    """Starts `instance` again in place of `gone`; it must get gone's partitions back
    without `other` seeing a rebalance. Returns the new member."""
    before = other.assignments
    time.sleep(1.0)  # a LeaveGroup would have moved the partitions by now
    if other.assignments != before:
        raise AssertionError('%s: %s was reassigned (%s) though a static member left no '
                             'LeaveGroup' % (what, other.name, other.assigned))
    t0 = time.monotonic()
    back = start(members, b, gone.name + '-restarted', instance)
    back.send('go')
    back.wait_for(lambda m: m.assigned is not None, 30, 'assignment')
    took = back.assigned_at - t0
    if back.assigned != gone.assigned:
        raise AssertionError('%s: %s came back with %s, had %s' % (what, instance, back.assigned,
                                                                   gone.assigned))
    time.sleep(0.5)
    if other.assignments != before:
        raise AssertionError('%s: the rejoin of %s rebalanced %s (now %s)' %
                             (what, instance, other.name, other.assigned))
    print('%s: %s back with %s in %.2f s; %s not rebalanced' % (what, instance, back.assigned,
                                                               took, other.name))
    return back


def main():
    server, source = sys.argv[1], sys.argv[2]
    t_start = time.monotonic()
    with GregorBroker(server, source, overrides=gh.BROKER) as broker, gh.Members() as members:
        b = broker.bootstrap
        gh.create_topic(b, TOPIC, PARTITIONS)
        expected = gh.produce(b, TOPIC, PARTITIONS, 200)
        a = start(members, b, 'static-a', 'static-a')
        c = start(members, b, 'static-b', 'static-b')
        gh.wait_until(gh.settled([a, c], PARTITIONS, [2, 2]), 60, '2/2 assignment', [a, c])
        for x in (a, c):
            x.send('go')
        gh.read_all([a, c], expected, 'static split')
        gh.check_commits([a, c], {p: 200 for p in range(PARTITIONS)})
        print('split: %s; %d records read once; committed' % (gh.assignment_of([a, c]),
                                                              len(expected)))

        a.close()
        a = rejoin(members, b, a, c, 'static-a', 'close')
        gh.reset_reads([a, c])
        expected = gh.produce(b, TOPIC, PARTITIONS, 50, start=200)
        gh.read_all([a, c], expected, 'after the static close')
        gh.check_commits([a, c], {p: 250 for p in range(PARTITIONS)})

        c.kill()
        c = rejoin(members, b, c, a, 'static-b', 'kill')
        gh.reset_reads([a, c])
        expected = gh.produce(b, TOPIC, PARTITIONS, 50, start=250)
        gh.read_all([a, c], expected, 'after the static kill')
        gh.check_commits([a, c], {p: 300 for p in range(PARTITIONS)})

        t0 = time.monotonic()
        c.kill()
        gh.wait_until(gh.settled([a], PARTITIONS, quiet=0), SESSION_MS / 1000.0 + 30,
                      '%s taking every partition' % a.name, [a])
        took = a.assigned_at - t0
        print('expiry: %s took %s %.2f s after static-b was killed (session.timeout.ms=%d)' %
              (a.name, a.assigned, took, SESSION_MS))
        gh.check_eviction_time(took, SESSION_MS, HEARTBEAT_MS)
        a.close()
    if broker.exit_code != 0:
        raise AssertionError('gregor-server exited with %s on SIGTERM' % broker.exit_code)
    print('static membership compat: ok (%.1f s)' % (time.monotonic() - t_start))


if __name__ == '__main__':
    main()
