#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Disk faults and power loss under load against one gregor-server
(issue 7; README.md, "Disk faults").

The broker runs with gregor.test.env=fault: its storage is a
FaultInjectionEnv the nemesis drives through a control file. Two topics
are written the whole time, each by Gregor's producer and
confluent-kafka-python with acks=all:

    durable  flush.messages=1: every append is fsynced before it is
             acknowledged, so nothing acknowledged may be lost, even by a
             power loss
    lazy     Kafka's default flush policy (no fsync per write): a power loss
             may take the unflushed tail, acknowledged or not

The nemesis runs --enospc and --eio cycles (every write fails; the only log
dir goes offline; the broker must stop by itself, exit 1; the disk is
cleared and the broker restarted), --powerlosses cycles (every file back to
its fsynced state, then _exit(9); restart) and --kills SIGKILL cycles, in a
seeded random order, each after every producer made progress, each followed
by a read pass of both topics. After every restart the broker's log must
show no unreadable checkpoint (a torn checkpoint). At the end: producers
stop, a final read, SIGTERM (exit 0 and the marker), every segment passes
gregor-dump-log (index sanity check and a full dump), one more clean start
and the final read.

Verdict: on `durable`, every anomaly of fault_checker.MUST_BE_ZERO must be
0. On `lazy`, lost-write, lost-read and inconsistent-offsets (the lost
tail's offsets are reused) are counted and reported as expected under the
failure model once a power loss happened; all its other anomalies must be 0.

usage: disk_fault_test.py --server S --producer P --dump-log D --source DIR
           [--enospc 1] [--eio 1] [--powerlosses 2] [--kills 0] [--seed N]
           [--summary FILE]
GREGOR_KEEP_TMP=1 keeps the data directory and logs on failure.
"""
import argparse
import json
import os
import random
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fault_checker  # noqa: E402
from fault_test import check_segments, on_sigterm, tear_down, wait_for_progress  # noqa: E402
from nemesis import BrokerNode, Nemesis  # noqa: E402
from workload import ProducerProcess, create_topic, read_pass  # noqa: E402

PARTITIONS = 2
REQUEST_TIMEOUT_MS = 3000
TOPICS = {'durable': {'flush.messages': '1'}, 'lazy': {}}
# (tag, topic, driver kind): acks=all, a delivery timeout that outwaits
# every fault, so every record ends acknowledged.
PRODUCERS = [('dg', 'durable', 'gregor'), ('dc', 'durable', 'confluent'),
             ('lg', 'lazy', 'gregor'), ('lc', 'lazy', 'confluent')]
# What a power loss may do to `lazy` (Kafka's default flush policy).
EXPECTED_LAZY = ['lost-write', 'lost-read', 'inconsistent-offsets']


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument('--server', required=True)
    ap.add_argument('--producer', required=True)
    ap.add_argument('--dump-log', required=True)
    ap.add_argument('--source', required=True)
    ap.add_argument('--enospc', type=int, default=1)
    ap.add_argument('--eio', type=int, default=1)
    ap.add_argument('--powerlosses', type=int, default=2)
    ap.add_argument('--kills', type=int, default=0)
    ap.add_argument('--seed', type=int, default=5)
    ap.add_argument('--rate', type=int, default=400, help='records/s per producer')
    ap.add_argument('--progress', type=int, default=30)
    ap.add_argument('--progress-timeout-s', type=float, default=40.0)
    ap.add_argument('--restart-bound-s', type=float, default=10.0)
    ap.add_argument('--disk-fault-s', type=float, default=1.0,
                    help='how long the disk stays broken per enospc/eio cycle')
    ap.add_argument('--read-every', type=int, default=1,
                    help='a read pass of both topics every this many cycles')
    ap.add_argument('--read-timeout-s', type=float, default=120.0)
    ap.add_argument('--time-budget-s', type=float, default=200.0)
    ap.add_argument('--summary', help='write the counts as JSON here')
    return ap.parse_args()


def verdict(result, topic, powerlosses):
    """(violations, expected): the anomalies that fail the run, and those
    reported as expected under the failure model."""
    bad = fault_checker.violations(result)
    if topic == 'lazy' and powerlosses > 0:
        expected = ['%s=%d' % (a, result[a]) for a in EXPECTED_LAZY if result[a]]
        bad = [b for b in bad if b.split('=')[0] not in EXPECTED_LAZY]
        return bad, expected
    return bad, []


def main():
    a = parse_args()
    signal.signal(signal.SIGTERM, on_sigterm)
    t_start = time.monotonic()
    root = tempfile.mkdtemp(prefix='gregor-diskfault-')
    node = BrokerNode(a.server, a.source, root, disk_faults=True,
                      overrides={'num.partitions': PARTITIONS, 'log.segment.bytes': 131072})
    nemesis = Nemesis(node, restart_bound_s=a.restart_bound_s, seed=a.seed + 2,
                      disk_fault_s=a.disk_fault_s)
    producers = []
    histories = {t: fault_checker.History() for t in TOPICS}
    torn_checkpoints = 0
    ok = False
    try:
        node.set_disk_fault('none')
        node.start()
        for topic, configs in TOPICS.items():
            create_topic(node.bootstrap, topic, PARTITIONS, configs=configs)
        for tag, topic, kind in PRODUCERS:
            producers.append(ProducerProcess(kind, a.producer, node.bootstrap, topic, 'all', tag,
                                             root, a.rate, REQUEST_TIMEOUT_MS, 60000))
        ops = (['enospc'] * a.enospc + ['eio'] * a.eio + ['powerloss'] * a.powerlosses +
               ['kill'] * a.kills)
        random.Random(a.seed).shuffle(ops)
        rng = random.Random(a.seed + 1)
        acks = wait_for_progress(producers, {p.tag: 0 for p in producers}, a.progress,
                                 a.progress_timeout_s)
        for n, op in enumerate(ops, 1):
            if time.monotonic() - t_start > a.time_budget_s:
                raise AssertionError('over the time budget of %.0f s after %d of %d cycles' %
                                     (a.time_budget_s, n - 1, len(ops)))
            time.sleep(rng.uniform(0.1, 0.6))
            cycle = nemesis.run(op)
            acks = wait_for_progress(producers, acks, a.progress, a.progress_timeout_s)
            if 'ignoring checkpoint' in node.log_text():
                torn_checkpoints += 1
            read = []
            for topic in TOPICS if n % a.read_every == 0 else []:
                records = read_pass(node.bootstrap, topic, PARTITIONS, timeout=a.read_timeout_s)
                histories[topic].read(records)
                read.append('%s %d' % (topic, len(records)))
            extra = ''
            if 'self_stop_s' in cycle:
                extra = ', stopped itself in %.2f s' % cycle['self_stop_s']
            print('cycle %d/%d %-9s restart %.2f s%s; acks %d, read %s' %
                  (n, len(ops), op, cycle['restart_s'], extra, sum(acks.values()),
                   ', '.join(read) or '-'), flush=True)
        for p in producers:
            rc = p.stop()
            print('  %s (exit %d)' % (p.summary_line(), rc))
            if rc != 0:
                raise AssertionError('producer %s exited %d' % (p.tag, rc))
        for topic in TOPICS:
            histories[topic].read(read_pass(node.bootstrap, topic, PARTITIONS,
                                            timeout=a.read_timeout_s))
        rc = node.terminate()
        if rc != 0 or not node.marker_present():
            raise AssertionError('final SIGTERM: exit %d, marker %s' % (rc, node.marker_present()))
        files, dirty = check_segments(a.dump_log, node.data)
        print('segments: %d files checked by gregor-dump-log, %d failures' % (files, len(dirty)))
        node.start()
        for topic in TOPICS:
            histories[topic].read(read_pass(node.bootstrap, topic, PARTITIONS,
                                            timeout=a.read_timeout_s), final=True)
        rc = node.terminate()
        if rc != 0:
            raise AssertionError('last SIGTERM: exit %d' % rc)

        for tag, topic, _ in PRODUCERS:
            histories[topic].load_producer_file(tag, os.path.join(root, 'producer-%s.txt' % tag))
        powerlosses = nemesis.counts().get('powerloss', 0)
        print('nemesis: %s, max restart %.2f s (bound %.1f s), torn checkpoints %d' %
              (nemesis.counts(), nemesis.max_restart_s(), a.restart_bound_s, torn_checkpoints))
        bad, results = [], {}
        for topic in TOPICS:
            result = fault_checker.check(histories[topic])
            results[topic] = result
            v, expected = verdict(result, topic, powerlosses)
            print('checker %s: %s' % (topic, fault_checker.summary(result)))
            if expected:
                print('  %s: %s expected under the failure model (power loss, no fsync per '
                      'write)' % (topic, ' '.join(expected)))
            for name, ex in sorted(result['examples'].items()):
                print('  %s e.g. %s' % (name, ex[:2]))
            bad += ['%s: %s' % (topic, x) for x in v]
            if result['acked'] == 0 or result['read'] == 0:
                bad.append('%s: nothing acknowledged or read' % topic)
        if a.summary:
            with open(a.summary, 'w') as f:
                json.dump({'cycles': nemesis.counts(), 'max_restart_s': nemesis.max_restart_s(),
                           'torn_checkpoints': torn_checkpoints, 'segment_files': files,
                           'segment_failures': dirty,
                           'checker': {t: {k: v for k, v in r.items() if k != 'examples'}
                                       for t, r in results.items()},
                           'seconds': time.monotonic() - t_start}, f, indent=1)
        if dirty:
            bad.append('segments: %s' % dirty[:5])
        if torn_checkpoints:
            bad.append('torn checkpoints: %d' % torn_checkpoints)
        if bad:
            raise AssertionError('FAIL: ' + '; '.join(bad))
        ok = True
        print('PASS disk fault run: %s, durable %d acked 0 lost, lazy %d acked %d lost '
              '(expected), in %.1f s' %
              (nemesis.counts(), results['durable']['acked'], results['lazy']['acked'],
               results['lazy']['lost-write'], time.monotonic() - t_start))
    finally:
        tear_down(producers, nemesis, node, ok, root)


if __name__ == '__main__':
    main()
