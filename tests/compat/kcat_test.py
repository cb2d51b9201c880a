#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""kcat (librdkafka 2.0.2) against a real gregor-server.

For each codec (none, gzip, snappy, lz4, zstd) and an acks setting, kcat
produces 10,000 keyed records with two headers into an auto-created topic
of 3 partitions, then reads everything back with `-o beginning -e`. The
test fails unless every record comes back byte for byte (key, value,
headers), exactly once, with offsets 0..n-1 in order in each partition.
Then: `-L` lists the broker and topics; `-o N`, `-o end` and
`-o s@timestamp` start where they should.

usage: kcat_test.py <gregor-server> <source dir>
"""
import os
import random
import string
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gregor_broker import GregorBroker  # noqa: E402

RECORDS = 10000
CODECS = [('none', 'all'), ('gzip', '1'), ('snappy', '0'), ('lz4', 'all'), ('zstd', '1')]
HEADERS = [('trace', 'abc-123'), ('source', 'kcat')]


def kcat(*args, stdin=None, timeout=120):
    run = subprocess.run(['kcat', *args], input=stdin, capture_output=True, text=True,
                         timeout=timeout)
    if run.returncode != 0:
        raise AssertionError('kcat %s failed (%d): %s' % (' '.join(args), run.returncode,
                                                          run.stderr[-2000:]))
    return run.stdout


def make_records(seed):
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + ' -_.,;:=+/{}[]"'
    out = []
    for i in range(RECORDS):
        key = 'key-%d-%d' % (i, rng.randrange(1000))
        value = ''.join(rng.choice(alphabet) for _ in range(rng.randrange(1, 200)))
        out.append((key, value))
    return out


def consume(bootstrap, topic, *extra):
    fmt = '%p\t%o\t%T\t%k\t%s\t%h\n'
    text = kcat('-C', '-b', bootstrap, '-t', topic, '-e', '-q', '-f', fmt, *extra)
    rows = []
    for line in text.splitlines():
        p, o, ts, k, v, h = line.split('\t')
        rows.append((int(p), int(o), int(ts), k, v, h))
    return rows


def check_topic(bootstrap, topic, sent):
    rows = consume(bootstrap, topic, '-o', 'beginning')
    got = sorted((k, v) for _, _, _, k, v, _ in rows)
    want = sorted(sent)
    if got != want:
        missing = len(set(want) - set(got))
        raise AssertionError('%s: %d records back, %d sent, %d missing' %
                             (topic, len(got), len(want), missing))
    want_headers = ','.join('%s=%s' % h for h in HEADERS)
    bad = [r for r in rows if r[5] != want_headers]
    if bad:
        raise AssertionError('%s: headers differ, e.g. %r' % (topic, bad[0][5]))
    by_partition = {}
    for p, o, *_ in rows:
        by_partition.setdefault(p, []).append(o)
    for p, offsets in by_partition.items():
        if offsets != list(range(len(offsets))):
            raise AssertionError('%s-%d: offsets not 0..n-1 in order' % (topic, p))
    return rows, by_partition


def main():
    server, source = sys.argv[1], sys.argv[2]
    with GregorBroker(server, source, {'num.partitions': 3}) as broker:
        b = broker.bootstrap
        for codec, acks in CODECS:
            topic = 'kcat-%s' % codec
            sent = make_records(hash(codec) & 0xffff)
            lines = ''.join('%s|%s\n' % kv for kv in sent)
            args = ['-P', '-b', b, '-t', topic, '-K', '|', '-z', codec,
                    '-X', 'acks=%s' % acks, '-X', 'linger.ms=5']
            for name, value in HEADERS:
                args += ['-H', '%s=%s' % (name, value)]
            kcat(*args, stdin=lines)
            rows, parts = check_topic(b, topic, sent)
            print('kcat %-6s acks=%-3s %d records back byte for byte over %d partitions' %
                  (codec, acks, len(rows), len(parts)))

        meta = kcat('-L', '-b', b)
        if ('broker 1 at 127.0.0.1:%d' % broker.port) not in meta:
            raise AssertionError('-L does not list the broker:\n' + meta)
        for codec, _ in CODECS:
            if 'topic "kcat-%s" with 3 partitions' % codec not in meta:
                raise AssertionError('-L does not list kcat-%s:\n%s' % (codec, meta))
        print('kcat -L lists the broker and 5 topics of 3 partitions')

        rows = consume(b, 'kcat-none', '-p', '0', '-o', 'beginning')
        n = len(rows)
        mid = rows[n // 2]
        from_mid = consume(b, 'kcat-none', '-p', '0', '-o', str(mid[1]))
        if [r[1] for r in from_mid] != list(range(mid[1], n)):
            raise AssertionError('-o %d did not start there' % mid[1])
        if consume(b, 'kcat-none', '-p', '0', '-o', 'end'):
            raise AssertionError('-o end returned records')
        ts = mid[2]
        by_time = consume(b, 'kcat-none', '-p', '0', '-o', 's@%d' % ts)
        want_first = min(r[1] for r in rows if r[2] >= ts)
        if not by_time or by_time[0][1] != want_first:
            raise AssertionError('-o s@%d started at %s, expected %d' %
                                 (ts, by_time[0][1] if by_time else None, want_first))
        print('kcat -o N / end / s@timestamp start at offsets %d / %d / %d' %
              (mid[1], n, want_first))
    if broker.exit_code != 0:
        raise AssertionError('gregor-server exited with %s on SIGTERM' % broker.exit_code)
    print('kcat compat: ok')


if __name__ == '__main__':
    main()
