#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""kcat's balanced consumer (-G, librdkafka 2.0.2) against a real
gregor-server (chapter 06).

  once      `kcat -G group -e` on a 4-partition topic of 250 records per
            partition reads every record exactly once and exits when every
            partition it owns is at its end; its auto-commit lands at close
            (list_consumer_group_offsets: the end offsets);
  resume    after 100 more records per partition, the same command in the
            same group reads exactly those: it resumed at the commits;
  two       two kcat members (client.id kcat-a, kcat-b) run side by side;
            once the group is Stable with both (kafka-python's
            describe_consumer_groups: disjoint, complete), 100 more records
            per partition are read once, each by the member owning its
            partition; SIGTERM closes both, and their commits are the ends.

usage: groups_kcat_test.py <gregor-server> <source dir>
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gregor_broker import GregorBroker  # noqa: E402
import groups_harness as gh  # noqa: E402

TOPIC = 'groups-kcat'
GROUP = 'kcat-group'
PARTITIONS = 4
FMT = '%p\t%o\t%s\n'
CONF = ['-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=6000',
        '-X', 'heartbeat.interval.ms=500', '-X', 'fetch.wait.max.ms=100']


def parse(text):
    rows = []
    for line in text.splitlines():
        p, o, v = line.split('\t')
        rows.append((int(p), int(o), v))
    return rows


def check(rows, expected, what):
    seen = {}
    for p, o, v in rows:
        if v in seen:
            raise AssertionError('%s: %s read twice' % (what, v))
        seen[v] = (p, o)
    if seen != expected:
        missing = sorted(set(expected) - set(seen))
        extra = sorted(set(seen) - set(expected))
        wrong = [v for v in set(seen) & set(expected) if seen[v] != expected[v]]
        raise AssertionError('%s: %d read, %d expected; missing e.g. %s; unexpected e.g. %s; '
                             'misplaced e.g. %s' % (what, len(seen), len(expected), missing[:5],
                                                    extra[:5], wrong[:5]))


def kcat_to_end(b, expected, what):
    run = subprocess.run(['kcat', '-b', b, '-G', GROUP, '-e', '-q', '-f', FMT, *CONF, TOPIC],
                         capture_output=True, text=True, timeout=60)
    if run.returncode != 0:
        raise AssertionError('kcat -G -e failed (%d): %s' % (run.returncode, run.stderr[-2000:]))
    try:
        check(parse(run.stdout), expected, what)
    except AssertionError as e:
        # What kcat (librdkafka) said about its group, for the failure's story.
        raise AssertionError('%s\n--- kcat stderr ---\n%s' % (e, run.stderr[-3000:]))


def committed(admin):
    offsets = admin.list_consumer_group_offsets(GROUP)
    return {tp.partition: om.offset for tp, om in offsets.items() if tp.topic == TOPIC}


def describe(admin):
    [info] = admin.describe_consumer_groups([GROUP])
    out = {}
    for mi in info.members:
        out[mi.client_id] = sorted(p for t, ps in mi.member_assignment.assignment for p in ps
                                   if t == TOPIC) if mi.member_assignment else []
    return info.state, out


def main():
    from kafka import KafkaAdminClient
    server, source = sys.argv[1], sys.argv[2]
    t_start = time.monotonic()
    work = tempfile.mkdtemp(prefix='gregor-kcat-groups-')
    procs = []
    try:
        with GregorBroker(server, source, overrides=gh.BROKER) as broker:
            b = broker.bootstrap
            gh.create_topic(b, TOPIC, PARTITIONS)
            admin = KafkaAdminClient(bootstrap_servers=b, request_timeout_ms=30000,
                                     client_id='gregor-groups-admin')
            expected = gh.produce(b, TOPIC, PARTITIONS, 250)
            t0 = time.monotonic()
            kcat_to_end(b, expected, 'kcat -G -e')
            ends = {p: 250 for p in range(PARTITIONS)}
            if committed(admin) != ends:
                raise AssertionError('after kcat -G -e: committed %r, expected %r' %
                                     (committed(admin), ends))
            print('once: %d records read once in %.1f s; committed %s' %
                  (len(expected), time.monotonic() - t0, ends))

            expected = gh.produce(b, TOPIC, PARTITIONS, 100, start=250)
            kcat_to_end(b, expected, 'kcat -G -e again')
            ends = {p: 350 for p in range(PARTITIONS)}
            if committed(admin) != ends:
                raise AssertionError('after the second kcat: committed %r, expected %r' %
                                     (committed(admin), ends))
            print('resume: only the %d new records read' % len(expected))

            outs = {}
            for name in ('kcat-a', 'kcat-b'):
                outs[name] = os.path.join(work, name + '.out')
                with open(outs[name], 'w') as out, open(outs[name] + '.err', 'w') as err:
                    procs.append(subprocess.Popen(
                        ['kcat', '-b', b, '-G', GROUP, '-q', '-u', '-f', FMT, *CONF,
                         '-X', 'client.id=' + name, TOPIC], stdout=out, stderr=err))

            def both_stable():
                state, members = describe(admin)
                parts = sorted(p for ps in members.values() for p in ps)
                return (state == 'Stable' and sorted(members) == ['kcat-a', 'kcat-b'] and
                        parts == list(range(PARTITIONS)) and all(members.values()))
            gh.wait_until(both_stable, 60, 'both kcat members in a Stable group')
            _, owners = describe(admin)
            expected = gh.produce(b, TOPIC, PARTITIONS, 100, start=350)

            def rows():
                out = {}
                for name, path in outs.items():
                    with open(path) as f:
                        out[name] = parse(''.join(line for line in f if line.endswith('\n')))
                return out
            gh.wait_until(lambda: sum(len(r) for r in rows().values()) >= len(expected), 60,
                          '%d records read by the two kcat members' % len(expected))
            time.sleep(0.5)
            got = rows()
            check([r for rs in got.values() for r in rs], expected, 'two kcat members')
            for name, rs in got.items():
                strays = [r for r in rs if r[0] not in owners[name]]
                if strays:
                    raise AssertionError('%s read %s outside its assignment %s' %
                                         (name, strays[:3], owners[name]))
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    raise AssertionError('kcat did not exit within 30 s of SIGTERM')
            ends = {p: 450 for p in range(PARTITIONS)}
            if committed(admin) != ends:
                raise AssertionError('after the two kcat members closed: committed %r, '
                                     'expected %r' % (committed(admin), ends))
            print('two: %s; %d records read once; committed at close' % (owners, len(expected)))
            admin.close()
        if broker.exit_code != 0:
            raise AssertionError('gregor-server exited with %s on SIGTERM' % broker.exit_code)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)
        for name in os.listdir(work):
            if name.endswith('.err'):
                with open(os.path.join(work, name)) as f:
                    text = f.read().strip()
                if text:
                    print('--- %s ---\n%s' % (name, text[-2000:]))
        shutil.rmtree(work, ignore_errors=True)
    print('kcat groups compat: ok (%.1f s)' % (time.monotonic() - t_start))


if __name__ == '__main__':
    main()
