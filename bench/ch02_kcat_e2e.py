#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end: kcat produces N x S-byte records into gregor-server (acks=1)
and consumes them back; prints records/s and MB/s for both directions and
the broker's peak RSS (VmHWM), all from one run.

usage: ch02_kcat_e2e.py <gregor-server> <source dir> [records] [size]
The defaults (1,000,000 x 100 bytes) are chapter 02's figures; the
bench-smoke test runs it with 20,000 records.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests',
                                'compat'))
from gregor_broker import GregorBroker  # noqa: E402


def peak_rss_kib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    return -1


def main():
    server, source = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    value = ('x' * (size - 1) + '\n').encode()
    payload = value * n
    mb = n * size / 1e6
    with GregorBroker(server, source, {'num.partitions': 1}) as broker:
        b = broker.bootstrap
        t0 = time.monotonic()
        subprocess.run(['kcat', '-P', '-b', b, '-t', 'perf', '-X', 'acks=1',
                        '-X', 'linger.ms=5', '-X', 'batch.num.messages=10000'],
                       input=payload, check=True, timeout=600)
        produce = time.monotonic() - t0
        t0 = time.monotonic()
        # A pre-fetch queue large enough for the whole run: with librdkafka's
        # default (64 MiB) the consumer pauses fetching for about a second
        # once kcat's output falls behind, which measures kcat, not the broker.
        out = subprocess.run(['kcat', '-C', '-b', b, '-t', 'perf', '-o', 'beginning', '-e', '-q',
                              '-X', 'queued.max.messages.kbytes=2097151', '-f', '%o\n'],
                             capture_output=True, check=True, timeout=600).stdout
        consume = time.monotonic() - t0
        got = out.count(b'\n')
        rss = peak_rss_kib(broker.proc.pid)
    if got != n:
        sys.exit('consumed %d of %d records' % (got, n))
    print('kcat produce: %d records x %d B in %.2f s: %.0f records/s, %.1f MB/s (acks=1)' %
          (n, size, produce, n / produce, mb / produce))
    print('kcat consume: %d records in %.2f s: %.0f records/s, %.1f MB/s' %
          (n, consume, n / consume, mb / consume))
    print('gregor-server peak RSS: %.1f MiB' % (rss / 1024))


if __name__ == '__main__':
    main()
