#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Jepsen-style fault run against one gregor-server (issue 7; README.md).

Four producers write keyed, uniquely numbered records to one 3-partition
topic the whole time: Gregor's producer (fault_producer) and
confluent-kafka-python, each with acks=all and acks=1. Meanwhile the
nemesis runs --kills SIGKILL/restart cycles, --recovery-kills cycles that
SIGKILL the restarted broker again while it recovers, --terms
SIGTERM/restart cycles and --pauses SIGSTOP/SIGCONT cycles, in a seeded
random order, each after
every producer has made progress since the last one (within a bound: a
producer that never recovers fails the run) and each followed by a reader
pass (kafka-python, assign + seek) every --read-every cycles. Then the
producers stop and flush, a final pass reads the live log, the broker
stops with SIGTERM, every segment's indexes pass
`gregor-dump-log --index-sanity-check` and every .log and .index file
dumps clean, and after one more clean start the last pass is the final
state. fault_checker counts the anomalies; the run fails on any
lost-write, lost-read, inconsistent-offsets, nonmonotonic-poll,
poll-skip, unexpected or failed-read, on a restart over --restart-bound-s,
or on a dirty dump. Duplicates are reported only (no idempotence before
chapter 07).

usage: fault_test.py --server S --producer P --dump-log D --source DIR
           [--kills 6] [--recovery-kills 1] [--terms 1] [--pauses 1] [--seed N] [--rate 500]
           [--read-every 1] [--summary FILE]
GREGOR_KEEP_TMP=1 keeps the data directory and logs on failure.
"""
import argparse
import glob
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fault_checker  # noqa: E402
from nemesis import BrokerNode, Nemesis  # noqa: E402
from workload import ProducerProcess, create_topic, read_pass  # noqa: E402

TOPIC = 'fault'
PARTITIONS = 3
REQUEST_TIMEOUT_MS = 3000
# Producers: (tag, driver kind, acks, delivery.timeout.ms). The acks=all ones
# outwait every fault, so each of their records ends acknowledged; the
# acks=1 ones give up within a SIGSTOP, so some records end indeterminate.
PRODUCERS = [('g-all', 'gregor', 'all', 30000), ('g-one', 'gregor', '1', 4000),
             ('c-all', 'confluent', 'all', 30000), ('c-one', 'confluent', '1', 4000)]


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument('--server', required=True)
    ap.add_argument('--producer', required=True)
    ap.add_argument('--dump-log', required=True)
    ap.add_argument('--source', required=True)
    ap.add_argument('--kills', type=int, default=6)
    ap.add_argument('--terms', type=int, default=1)
    ap.add_argument('--pauses', type=int, default=1)
    ap.add_argument('--recovery-kills', type=int, default=1,
                    help='kill-recovery cycles: SIGKILL again during recovery')
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--rate', type=int, default=500, help='records/s per producer')
    ap.add_argument('--read-every', type=int, default=1)
    ap.add_argument('--progress', type=int, default=50,
                    help='new acks each producer needs between faults')
    ap.add_argument('--progress-timeout-s', type=float, default=40.0)
    ap.add_argument('--restart-bound-s', type=float, default=10.0)
    ap.add_argument('--time-budget-s', type=float, default=200.0,
                    help='fail (and clean up) rather than run longer than this')
    ap.add_argument('--summary', help='write the counts as JSON here')
    return ap.parse_args()


def on_sigterm(signum, frame):
    raise SystemExit('SIGTERM: stopping, killing every process started')


def wait_for_progress(producers, since, need, timeout):
    """Until every producer has `need` more acks than `since` ({tag: n})."""
    deadline = time.monotonic() + timeout
    while True:
        now = {p.tag: p.acked() for p in producers}
        slow = [t for t in now if now[t] < since[t] + need]
        if not slow:
            return now
        for p in producers:
            if p.proc.poll() is not None:
                raise AssertionError('producer %s exited early: %s' % (p.tag, p.summary_line()))
        if time.monotonic() > deadline:
            raise AssertionError('no progress within %.0f s from %s (acks %s, before %s)' %
                                 (timeout, slow, now, since))
        time.sleep(0.05)


def check_segments(dump_log, data_dir):
    """Index sanity check on every index, then a full dump of every .log and
    .index (CRC of each batch, index entries pointing at batch ends).
    Returns (files checked, [failures])."""
    indexes = sorted(glob.glob(os.path.join(data_dir, '*', '*.index')) +
                     glob.glob(os.path.join(data_dir, '*', '*.timeindex')))
    logs = sorted(glob.glob(os.path.join(data_dir, '*', '*.log')))
    failures = []
    for i in range(0, len(indexes), 50):
        chunk = indexes[i:i + 50]
        run = subprocess.run([dump_log, '--files', ','.join(chunk), '--index-sanity-check'],
                             capture_output=True, text=True, timeout=120)
        passed = run.stdout.count('passed sanity check.')
        if run.returncode != 0 or passed != len(chunk):
            failures.append('sanity check (%d of %d passed): %s' %
                            (passed, len(chunk), run.stdout[-1500:] + run.stderr[-500:]))
    for path in logs + [p for p in indexes if p.endswith('.index')]:
        run = subprocess.run([dump_log, '--files', path], capture_output=True, text=True,
                             timeout=120)
        if run.returncode != 0:
            bad = [l for l in run.stdout.splitlines() if 'MISMATCH' in l or 'invalid' in l
                   or 'trailing' in l.lower()]
            failures.append('%s: exit %d %s' % (path, run.returncode, bad[:3] or
                                                 run.stderr[-300:]))
    return len(indexes) + len(logs), failures


def tear_down(producers, nemesis, node, ok, root):
    """Stops the producers and the nemesis (and its broker); prints the
    broker's log tail on failure; removes the run's directory unless it
    failed and GREGOR_KEEP_TMP is set."""
    for p in producers:
        p.kill()
    nemesis.close()
    if not ok:
        print('--- gregor-server (last start, non-debug tail) ---\n' + node.log_tail())
    if ok or not os.environ.get('GREGOR_KEEP_TMP'):
        shutil.rmtree(root, ignore_errors=True)
    else:
        print('kept ' + root)


def main():
    a = parse_args()
    signal.signal(signal.SIGTERM, on_sigterm)
    t_start = time.monotonic()
    root = tempfile.mkdtemp(prefix='gregor-fault-')
    node = BrokerNode(a.server, a.source, root,
                      overrides={'num.partitions': PARTITIONS, 'log.segment.bytes': 262144})
    nemesis = Nemesis(node, restart_bound_s=a.restart_bound_s,
                      pause_s=REQUEST_TIMEOUT_MS / 1000.0 + 2.0, seed=a.seed + 2)
    producers = []
    history = fault_checker.History()
    ok = False
    try:
        node.start()
        create_topic(node.bootstrap, TOPIC, PARTITIONS)
        for tag, kind, acks, delivery_timeout_ms in PRODUCERS:
            producers.append(ProducerProcess(kind, a.producer, node.bootstrap, TOPIC, acks, tag,
                                             root, a.rate, REQUEST_TIMEOUT_MS,
                                             delivery_timeout_ms))
        ops = (['kill'] * a.kills + ['term'] * a.terms + ['pause'] * a.pauses +
               ['kill-recovery'] * a.recovery_kills)
        random.Random(a.seed).shuffle(ops)
        rng = random.Random(a.seed + 1)
        acks = wait_for_progress(producers, {p.tag: 0 for p in producers}, a.progress,
                                 a.progress_timeout_s)
        for n, op in enumerate(ops, 1):
            if time.monotonic() - t_start > a.time_budget_s:
                raise AssertionError('over the time budget of %.0f s after %d of %d cycles' %
                                     (a.time_budget_s, n - 1, len(ops)))
            time.sleep(rng.uniform(0.1, 0.8))  # land the fault at a random point
            cycle = nemesis.run(op)
            acks = wait_for_progress(producers, acks, a.progress, a.progress_timeout_s)
            # The producers' progress means the topic's partitions are loaded:
            # after SIGKILL each must have run recovery, after SIGTERM none.
            if op in ('kill', 'kill-recovery', 'term'):
                rec = node.recovered_segments(TOPIC)
                cycle['recovered'] = sum(rec.values())
                if sorted(rec) != list(range(PARTITIONS)) or (
                        any(rec.values()) if op == 'term' else min(rec.values()) < 1):
                    raise AssertionError('%s: segments recovered per partition %s' % (op, rec))
            read = ''
            if n % a.read_every == 0:
                records = read_pass(node.bootstrap, TOPIC, PARTITIONS)
                history.read(records)
                read = ', read %d' % len(records)
            restart = 'restart' if cycle['restart_s'] is not None else 'resumed'
            if 'hit' in cycle:
                restart = '%s (%d logs loaded), then restart' % (
                    'killed in recovery' if cycle['hit'] else 'killed after listening',
                    cycle['loaded_before_kill'])
            if cycle['restart_s'] is not None:
                restart += ' %.2f s, %d segments recovered' % (cycle['restart_s'],
                                                                     cycle['recovered'])
            print('cycle %d/%d %-13s %s; acks %s%s' % (n, len(ops), op, restart,
                                                       sum(acks.values()), read), flush=True)
        for p in producers:
            rc = p.stop()
            print('  %s (exit %d)' % (p.summary_line(), rc))
            if rc != 0:
                raise AssertionError('producer %s exited %d' % (p.tag, rc))
        history.read(read_pass(node.bootstrap, TOPIC, PARTITIONS))
        rc = node.terminate()
        if rc != 0 or not node.marker_present():
            raise AssertionError('final SIGTERM: exit %d, marker %s' % (rc, node.marker_present()))
        files, dirty = check_segments(a.dump_log, node.data)
        print('segments: %d files checked by gregor-dump-log, %d failures' % (files, len(dirty)))
        node.start()
        history.read(read_pass(node.bootstrap, TOPIC, PARTITIONS), final=True)
        rc = node.terminate()
        if rc != 0:
            raise AssertionError('last SIGTERM: exit %d' % rc)

        for p in producers:
            history.load_producer_file(p.tag, p.out_path)
        result = fault_checker.check(history)
        print('nemesis: %s, %d kill-recovery SIGKILLs landed before listening, max restart '
              '%.2f s (bound %.1f s)' % (nemesis.counts(), nemesis.recovery_hits(),
                                         nemesis.max_restart_s(), a.restart_bound_s))
        print('per producer: %s' % fault_checker.per_tag(history))
        print('checker: %s' % fault_checker.summary(result))
        for name, ex in sorted(result['examples'].items()):
            print('  %s e.g. %s' % (name, ex))
        if a.summary:
            with open(a.summary, 'w') as f:
                json.dump({'cycles': nemesis.counts(), 'max_restart_s': nemesis.max_restart_s(),
                       'recovery_hits': nemesis.recovery_hits(),
                           'segment_files': files, 'segment_failures': dirty,
                           'per_producer': fault_checker.per_tag(history),
                           'checker': {k: v for k, v in result.items() if k != 'examples'},
                           'seconds': time.monotonic() - t_start}, f, indent=1)
        bad = fault_checker.violations(result)
        if dirty:
            bad.append('segments: %s' % dirty[:5])
        if result['acked'] == 0 or result['read'] == 0:
            bad.append('nothing acknowledged or read: the run proved nothing')
        if bad:
            raise AssertionError('FAIL: ' + '; '.join(bad))
        ok = True
        print('PASS fault run: %d cycles %s, %d acked, %d indeterminate, %d read, '
              '0 lost, %d duplicates (allowed) in %.1f s' %
              (len(nemesis.cycles), nemesis.counts(), result['acked'], result['indeterminate'],
               result['read'], result['duplicate'], time.monotonic() - t_start))
    finally:
        tear_down(producers, nemesis, node, ok, root)


if __name__ == '__main__':
    main()
