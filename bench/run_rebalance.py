#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Chapter 06 rebalance time: how long a consumer group takes to settle.

For each group.initial.rebalance.delay.ms (0, then Kafka's default 3000)
one gregor-server is started (temporary dir, port 0) with a 6-partition
topic. Then, --runs times and alternating the client's order:

  join of 3:  3 members of a fresh group are started at once (time t0);
      measured: t0 -> the first moment every member holds its partitions
      of the final assignment (all non-empty, disjoint, covering all 6);
  4th member: once those 3 are Stable, a 4th is started (t1); measured:
      t1 -> the same condition for 4 members. The 3 learn of the rebalance
      from a heartbeat answer (heartbeat.interval.ms 3000 for both clients),
      so this is mostly waiting for the next heartbeat.

The members are bench/gregor_group_member (a Gregor consumer printing its
rebalance callbacks) and the same thing on kafka-python (this script with
--kafka-python-member). Both use their defaults (Gregor: range first, so
eager; kafka-python 2.0.2: range). Each member prints "assigned <epoch ms>
<partitions>" / "revoked <epoch ms> <partitions>"; times are from the
driver's spawn, so they include process start (and kafka-python's import),
which is reported separately as "start". Medians go to
build/bench/rebalance-report.md and stdout.

usage: run_rebalance.py [--runs 5] [--delays 0,3000] [--clients gregor,kafka-python]
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time

PARTITIONS = 6
TOPIC = 'rebalance'


def kafka_python_member(bootstrap, topic, group):
    """One kafka-python consumer printing its rebalance callbacks (see the docstring)."""
    started = time.time()
    from kafka import ConsumerRebalanceListener, KafkaConsumer

    def emit(what, partitions):
        print('%s %d %s' % (what, time.time() * 1000,
                            ','.join('%s-%d' % (tp.topic, tp.partition) for tp in partitions)),
              flush=True)

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            emit('revoked', revoked)

        def on_partitions_assigned(self, assigned):
            emit('assigned', assigned)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, client_id='rebalance-bench')
    print('started %d' % (started * 1000), flush=True)
    c.subscribe([topic], listener=Listener())
    while not stop:
        c.poll(timeout_ms=50)
    c.close()


class Member:
    """A member process and the callbacks it printed, as (epoch ms, kind, partitions)."""

    def __init__(self, cmd):
        self.events = []
        self.started_ms = None
        self.spawn_ms = time.time() * 1000
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            parts = line.split()
            if len(parts) >= 2 and parts[0] == 'started':
                self.started_ms = float(parts[1])
            elif len(parts) >= 2 and parts[0] in ('assigned', 'revoked'):
                tps = set(parts[2].split(',')) if len(parts) > 2 else set()
                self.events.append((float(parts[1]), parts[0], tps))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def settled_at(members):
    """Epoch ms of the first moment every member held a non-empty share and the shares
    were disjoint and covered the topic; None if that never happened yet."""
    everything = {'%s-%d' % (TOPIC, p) for p in range(PARTITIONS)}
    # Stable sort by time only: a member's revoke and assign in one ms stay in order.
    events = sorted(((t, i, kind, tps) for i, m in enumerate(members)
                     for t, kind, tps in list(m.events)), key=lambda e: e[0])
    held = [set() for _ in members]
    for t, i, kind, tps in events:
        held[i] = held[i] | tps if kind == 'assigned' else held[i] - tps
        if all(held) and sum(map(len, held)) == len(everything) and set().union(*held) == everything:
            return t
    return None


def wait_settled(members, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        t = settled_at(members)
        if t is not None:
            return t
        if any(m.proc.poll() is not None for m in members):
            sys.exit('run_rebalance: a member exited early (exit %s)' %
                     [m.proc.poll() for m in members])
        time.sleep(0.01)
    for i, m in enumerate(members):
        print('member %d: %s' % (i, m.events), file=sys.stderr)
    sys.exit('run_rebalance: the group did not settle in %.0f s' % timeout)


def one_run(cmd_for, group, timeout):
    """(join of 3 ms, 4th member ms, its rebalance after the heartbeat's cue ms, median
    process start ms) for one fresh group."""
    members = []
    try:
        t0 = time.time() * 1000
        members = [Member(cmd_for(group)) for _ in range(3)]
        join3 = wait_settled(members, timeout) - t0
        time.sleep(0.5)  # the 3 are Stable and heartbeating
        fourth = Member(cmd_for(group))
        members.append(fourth)
        settled = wait_settled(members, timeout)
        join4 = settled - fourth.spawn_ms
        # The 3 act once a heartbeat tells them to rejoin: the first revocation.
        cue = min(t for m in members[:3] for t, kind, _ in list(m.events)
                  if kind == 'revoked' and t >= fourth.spawn_ms)
        after_cue = settled - cue
        start = statistics.median(m.started_ms - m.spawn_ms for m in members
                                  if m.started_ms is not None)
        return join3, join4, after_cue, start
    finally:
        for m in members:  # all leave at once, then wait for each
            if m.proc.poll() is None:
                m.proc.send_signal(signal.SIGTERM)
        for m in members:
            m.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    here = os.path.dirname(os.path.abspath(__file__))
    source = os.path.dirname(here)
    build = os.path.join(source, 'build')
    p.add_argument('--build-dir', default=build)
    p.add_argument('--runs', type=int, default=5)
    p.add_argument('--delays', default='0,3000', help='group.initial.rebalance.delay.ms values')
    p.add_argument('--clients', default='gregor,kafka-python')
    p.add_argument('--timeout', type=float, default=60, help='seconds for a group to settle')
    p.add_argument('--report', help='default <build>/bench/rebalance-report.md')
    p.add_argument('--kafka-python-member', nargs=3, metavar=('BOOTSTRAP', 'TOPIC', 'GROUP'),
                   help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.kafka_python_member:
        return kafka_python_member(*a.kafka_python_member)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit('run_rebalance: terminated'))
    sys.path.insert(0, os.path.join(source, 'tests', 'compat'))
    from gregor_broker import GregorBroker
    server = os.path.join(a.build_dir, 'tools', 'gregor-server')
    topics_tool = os.path.join(a.build_dir, 'tools', 'gregor-topics')
    member = os.path.join(a.build_dir, 'bench', 'gregor_group_member')
    for path in (server, topics_tool, member):
        if not os.access(path, os.X_OK):
            sys.exit('run_rebalance: missing %s (build it)' % path)
    report = a.report or os.path.join(a.build_dir, 'bench', 'rebalance-report.md')
    clients = a.clients.split(',')
    rows = []  # (delay, client, run, join3, join4, start)
    for delay in [int(d) for d in a.delays.split(',')]:
        with GregorBroker(server, source, {'group.initial.rebalance.delay.ms': delay}) as broker:
            b = broker.bootstrap
            subprocess.run([topics_tool, '--bootstrap-server', b, '--create', '--topic', TOPIC,
                            '--partitions', str(PARTITIONS), '--replication-factor', '1'],
                           check=True, timeout=60, stdout=subprocess.DEVNULL)
            cmds = {
                'gregor': lambda g: [member, b, TOPIC, g],
                'kafka-python': lambda g: ['/usr/bin/python3', os.path.abspath(__file__),
                                           '--kafka-python-member', b, TOPIC, g],
            }
            # The broker's first group creates __consumer_offsets: not timed.
            warm = Member(cmds['gregor']('warm-up'))
            wait_settled([warm], a.timeout)
            warm.stop()
            for run in range(a.runs):
                order = clients if run % 2 == 0 else clients[::-1]
                for client in order:
                    group = 'rb-%s-%d-%d' % (client, delay, run)
                    j3, j4, cue, start = one_run(cmds[client], group, a.timeout)
                    rows.append((delay, client, run + 1, j3, j4, cue, start,
                                 os.getloadavg()[0]))
                    print('delay=%d %-12s run %d: join of 3 %.0f ms, 4th member %.0f ms (%.0f '
                          'after the cue), process start %.0f ms' % (
                              delay, client, run + 1, j3, j4, cue, start), flush=True)
    write_report(a, report, rows, clients)


def write_report(a, report, rows, clients):
    loads = [r[7] for r in rows]
    out = ['# Chapter 06: rebalance time (Gregor vs kafka-python, one gregor-server)', '',
           '- %d CPUs, load avg (1 min) during the runs: %.2f-%.2f' % (
               os.cpu_count(), min(loads), max(loads)),
           '- topic of %d partitions; each run a fresh group; %d runs per setting, client order '
           'alternating; medians (each run listed too: with delay 0 the join of 3 takes one '
           'generation or two, a heartbeat apart)' % (PARTITIONS, a.runs),
           '- join of 3: 3 members started at once -> every member holds its final share '
           '(ms from spawn, so process start is included)',
           '- 4th member: started 0.5 s after the 3 settled -> all 4 hold their shares. The 3 '
           'learn of it from a heartbeat answer (heartbeat.interval.ms 3000 for both clients), '
           'so this is mostly the wait for their next heartbeat, ~2.5 s here; "after the cue" '
           'is from the first of the 3 revoking (it heard REBALANCE_IN_PROGRESS) to settled',
           '- clients at their defaults: Gregor gregor_group_member (range, eager), '
           'kafka-python 2.0.2 (range, eager); "start" is spawn -> the client printed '
           '"started" (after import and consumer construction)', '',
           '| group.initial.rebalance.delay.ms | client | join of 3 ms | 4th member ms '
           '| of which after the cue ms | start ms | runs: join of 3 / 4th |',
           '|---|---|---|---|---|---|---|']
    for delay in sorted({r[0] for r in rows}):
        for client in clients:
            rs = [r for r in rows if r[0] == delay and r[1] == client]
            out.append('| %d | %s | %.0f | %.0f | %.0f | %.0f | %s |' % (
                delay, client, *(statistics.median(r[k] for r in rs) for k in (3, 4, 5, 6)),
                ', '.join('%.0f/%.0f' % (r[3], r[4]) for r in rs)))
    out.append('')
    text = '\n'.join(out)
    os.makedirs(os.path.dirname(os.path.abspath(report)), exist_ok=True)
    with open(report, 'w') as f:
        f.write(text)
    print(text)


if __name__ == '__main__':
    main()
