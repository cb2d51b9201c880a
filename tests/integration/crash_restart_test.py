#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Crash and restart: gregor-server killed with SIGKILL loses no acknowledged
record, and a clean SIGTERM needs no recovery.

Three crash cycles on one data directory. Each produces RECORDS keyed
records with kcat (acks=all; exit 0 means every one was acknowledged) to a
3-partition topic, kills the broker with SIGKILL, checks the clean-shutdown
marker is absent, restarts on the same directory (port 0: a new port) and
reads everything back with `kcat -e`: every record sent so far is there
exactly once, offsets 0..n-1 per partition, and each partition holds the
records in the order they were sent. The storage layer's "loaded ...
recovered=N" line (debug) must show N > 0 for the topic: recovery ran.
Then SIGTERM: the marker is written, and the restart recovers no segment
and still has the topic and every record.

The consume-then-produce order also guards a past crash: kcat -e closing
while a Fetch response was being sendfile()d raised SIGPIPE in the broker.

usage: crash_restart_test.py <gregor-server> <source dir>
(GREGOR_KEEP_TMP=1 keeps the data directory and server logs on failure.)
"""
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

RECORDS = 50000
CYCLES = 3
TOPIC = 'crash-restart'
MARKER = '.kafka_cleanshutdown'


def kcat(*args, stdin=None, timeout=60):
    run = subprocess.run(['kcat', *args], input=stdin, capture_output=True, text=True,
                         timeout=timeout)
    if run.returncode != 0:
        raise AssertionError('kcat %s failed (%d): %s' % (' '.join(args[:6]), run.returncode,
                                                          run.stderr[-2000:]))
    return run.stdout


class Broker:
    """One gregor-server process on a data directory that outlives it."""

    def __init__(self, server, source_dir, root, start):
        self.server = server
        self.config = os.path.join(source_dir, 'config', 'server.properties')
        self.data = os.path.join(root, 'data')
        self.log_path = os.path.join(root, 'server-%d.log' % start)
        self.port = None
        args = [server, self.config,
                '--override', 'log.dirs=' + self.data,
                '--override', 'num.partitions=3',
                '--override', 'listeners=PLAINTEXT://localhost:0',
                '--override', 'advertised.listeners=PLAINTEXT://127.0.0.1:0']
        env = dict(os.environ, GREGOR_LOG_LEVEL='debug')
        self.log = open(self.log_path, 'w')
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True,
                                     env=env)
        deadline = time.monotonic() + 30
        while self.port is None:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                self.kill9()
                raise AssertionError('gregor-server did not start:\n' + self.server_log())
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                line = self.proc.stdout.readline()
                if line.startswith('gregor-server listening on port '):
                    self.port = int(line.split()[-1])
        self.bootstrap = '127.0.0.1:%d' % self.port

    def server_log(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def kill9(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=20)
        self.log.close()

    def terminate(self):
        """SIGTERM; returns the exit code (SIGKILL after 20 s counts as failure)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill9()
            raise AssertionError('gregor-server ignored SIGTERM for 20 s')
        self.log.close()
        return self.proc.returncode


def produce(bootstrap, first, count):
    """Sends records first..first+count-1; returns {seq: (key, value)}."""
    sent = {}
    lines = []
    for seq in range(first, first + count):
        key, value = 'key-%d' % (seq % 997), 'seq=%d' % seq
        sent[seq] = (key, value)
        lines.append('%s|%s\n' % (key, value))
    kcat('-P', '-b', bootstrap, '-t', TOPIC, '-K', '|', '-X', 'acks=all',
         '-X', 'linger.ms=5', stdin=''.join(lines))
    return sent


def check_all(bootstrap, sent):
    """Every record of `sent` exactly once, in send order per partition."""
    text = kcat('-C', '-b', bootstrap, '-t', TOPIC, '-o', 'beginning', '-e', '-q',
                '-f', '%p\t%o\t%k\t%s\n')
    by_partition = {}
    seen = set()
    for line in text.splitlines():
        p, o, k, v = line.split('\t')
        seq = int(v.split('=')[1])
        if seq in seen:
            raise AssertionError('record seq=%d read twice' % seq)
        if sent.get(seq) != (k, v):
            raise AssertionError('unexpected record %r' % line)
        seen.add(seq)
        by_partition.setdefault(int(p), []).append((int(o), seq))
    missing = set(sent) - seen
    if missing:
        raise AssertionError('%d acknowledged records lost, e.g. seq=%d' %
                             (len(missing), min(missing)))
    for p, rows in by_partition.items():
        if [o for o, _ in rows] != list(range(len(rows))):
            raise AssertionError('partition %d: offsets not 0..n-1' % p)
        seqs = [s for _, s in rows]
        if seqs != sorted(seqs):
            raise AssertionError('partition %d: records out of send order' % p)
    if sorted(by_partition) != [0, 1, 2]:
        raise AssertionError('records in partitions %s, want 0..2' % sorted(by_partition))


def recovered_segments(log):
    """Segments recovered per partition of TOPIC, from Log::Open's line."""
    out = {}
    for m in re.finditer(r'loaded dir=\S*/%s-(\d+) segments=\d+ recovered=(\d+)' % TOPIC, log):
        out[int(m.group(1))] = int(m.group(2))
    return out


def main():
    server, source = sys.argv[1], sys.argv[2]
    start_time = time.monotonic()
    root = tempfile.mkdtemp(prefix='gregor-crash-')
    broker = None
    ok = False
    try:
        starts = 0
        broker = Broker(server, source, root, starts)
        sent = {}
        for cycle in range(1, CYCLES + 1):
            sent.update(produce(broker.bootstrap, len(sent), RECORDS))
            broker.kill9()
            if os.path.exists(os.path.join(broker.data, MARKER)):
                raise AssertionError('clean-shutdown marker present after SIGKILL')
            starts += 1
            old_port = broker.port
            broker = Broker(server, source, root, starts)
            check_all(broker.bootstrap, sent)
            recovered = recovered_segments(broker.server_log())
            if sorted(recovered) != [0, 1, 2] or min(recovered.values()) < 1:
                raise AssertionError('cycle %d: no recovery logged for %s: %s' %
                                     (cycle, TOPIC, recovered))
            print('PASS cycle %d: SIGKILL on port %d, restart on port %d recovered %s; '
                  '%d records back exactly once, in order' %
                  (cycle, old_port, broker.port, recovered, len(sent)))

        rc = broker.terminate()
        if rc != 0:
            raise AssertionError('gregor-server exited with %d on SIGTERM' % rc)
        if not os.path.exists(os.path.join(broker.data, MARKER)):
            raise AssertionError('no clean-shutdown marker after SIGTERM')
        starts += 1
        broker = Broker(server, source, root, starts)
        check_all(broker.bootstrap, sent)
        recovered = recovered_segments(broker.server_log())
        if sorted(recovered) != [0, 1, 2] or any(recovered.values()):
            raise AssertionError('clean restart recovered segments: %s' % recovered)
        meta = kcat('-L', '-b', broker.bootstrap, '-t', TOPIC)
        if 'topic "%s" with 3 partitions' % TOPIC not in meta:
            raise AssertionError('topic missing after clean restart:\n' + meta)
        print('PASS clean: SIGTERM wrote %s, restart recovered nothing; topic and %d records '
              'still there' % (MARKER, len(sent)))
        rc = broker.terminate()
        broker = None
        if rc != 0:
            raise AssertionError('gregor-server exited with %d on SIGTERM' % rc)
        ok = True
    finally:
        if broker is not None and broker.proc.poll() is None:
            broker.kill9()
        if not ok:
            for name in sorted(os.listdir(root)):
                if name.endswith('.log'):
                    with open(os.path.join(root, name)) as f:
                        tail = [l for l in f.read().splitlines() if ' debug ' not in l][-40:]
                    print('--- %s (non-debug tail) ---\n%s' % (name, '\n'.join(tail)))
        if ok or not os.environ.get("GREGOR_KEEP_TMP"):
            shutil.rmtree(root, ignore_errors=True)
    print('crash/restart: ok in %.1f s' % (time.monotonic() - start_time))


if __name__ == '__main__':
    main()
