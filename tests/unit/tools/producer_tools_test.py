#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""gregor-console-producer and gregor-producer-perf-test against a real
gregor-server, read back with kcat (chapter 03's tools).

Console producer: keyed lines (parse.key, key.separator), headers
(parse.headers), gzip (--compression-codec with no value) and --sync all
arrive as written; a line without its key separator stops the tool with
Kafka's message and exit status 1. Perf test: N records arrive, the final
line has Kafka's shape, and the throttle holds the rate near --throughput.

usage: producer_tools_test.py <console-producer> <perf-test> <gregor-topics>
                              <gregor-server> <source dir>
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'compat'))
from gregor_broker import GregorBroker  # noqa: E402

CONSOLE, PERF, TOPICS, SERVER, SOURCE = sys.argv[1:6]
FINAL = re.compile(r'^(\d+) records sent, [\d.]+ records/sec \([\d.]+ MB/sec\), [\d.]+ ms avg '
                   r'latency, [\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, '
                   r'\d+ ms 99\.9th\.$')
failures = []


def check(name, ok, detail=''):
    print('%s %s%s' % ('PASS' if ok else 'FAIL', name, '' if ok else ': ' + detail))
    if not ok:
        failures.append(name)


def console(bootstrap, topic, text, *args):
    return subprocess.run([CONSOLE, '--bootstrap-server', bootstrap, '--topic', topic, *args],
                          input=text, capture_output=True, text=True, timeout=60)


def consume(bootstrap, topic, fmt):
    return subprocess.run(['kcat', '-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e',
                           '-q', '-f', fmt], capture_output=True, text=True, timeout=60).stdout


with GregorBroker(SERVER, SOURCE, {'num.partitions': 1}) as broker:
    b = broker.bootstrap
    for t in ('keyed', 'headed', 'perf'):
        subprocess.run([TOPICS, '--bootstrap-server', b, '--create', '--topic', t,
                        '--partitions', '1'], check=True, timeout=60, capture_output=True)

    r = console(b, 'keyed', 'k1:v1\nk2:v:2\r\n:empty key\n', '--property', 'parse.key=true',
                '--property', 'key.separator=:', '--compression-codec')
    check('keyed lines accepted', r.returncode == 0, r.stderr)
    r = console(b, 'keyed', 'k3:sync\n', '--property', 'parse.key=true', 'key.separator=:',
                '--sync', '--producer-property', 'linger.ms=0')
    check('--sync accepted', r.returncode == 0, r.stderr)
    got = consume(b, 'keyed', '%k|%s\n')
    check('keys and values arrive (gzip)', got == 'k1|v1\nk2|v:2\n|empty key\nk3|sync\n', got)

    r = console(b, 'headed', 'h1:a,h2:b\tk\tv\n', '--property', 'parse.headers=true',
                '--property', 'parse.key=true')
    check('headers accepted', r.returncode == 0, r.stderr)
    got = consume(b, 'headed', '%h|%k|%s\n')
    check('headers arrive', got == 'h1=a,h2=b|k|v\n', got)

    r = console(b, 'keyed', 'nokey\n', '--property', 'parse.key=true',
                '--property', 'key.separator=:')
    check('a line without separator fails', r.returncode == 1 and
          "No key separator found on line number 1: 'nokey'" in r.stderr,
          'rc=%d %s' % (r.returncode, r.stderr))

    n = 5000
    r = subprocess.run([PERF, '--topic', 'perf', '--num-records', str(n), '--record-size', '100',
                        '--throughput', '-1', '--producer-props', 'bootstrap.servers=' + b,
                        'acks=1'], capture_output=True, text=True, timeout=120)
    last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ''
    m = FINAL.match(last)
    check('perf test final line', r.returncode == 0 and m and int(m.group(1)) == n,
          r.stdout + r.stderr)
    count = consume(b, 'perf', '%o\n').count('\n')
    check('perf test records arrive', count == n, '%d of %d' % (count, n))

    t0 = time.monotonic()
    r = subprocess.run([PERF, '--topic', 'perf', '--num-records', '1500', '--record-size', '10',
                        '--throughput', '1000', '--producer-props', 'bootstrap.servers=' + b],
                       capture_output=True, text=True, timeout=120)
    took = time.monotonic() - t0
    # 1500 records at 1000/s: about 1.5 s; generous bounds for a loaded machine.
    check('--throughput 1000 throttles', r.returncode == 0 and 1.2 < took < 10,
          '%.2f s %s' % (took, r.stderr))

if failures:
    sys.exit('FAILED: ' + ', '.join(failures))
print('all producer tool checks passed')
