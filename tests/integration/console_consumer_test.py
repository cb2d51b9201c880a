#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""gregor-console-consumer and gregor-consumer-perf-test against a real
gregor-server, fed by gregor-console-producer (the README's commands).

  1. console producer: k1:hello, k2:world into `orders` (1 partition);
  2. console consumer, group billing, --from-beginning, print.key=true,
     --max-messages 2: prints "k1<TAB>hello" and "k2<TAB>world" (Kafka's
     default key.separator), exits 0;
  3. k3:again produced, the same command again: the group committed 2, so
     it prints only "k3<TAB>again" (then times out with --timeout-ms).
     (As with Kafka's tool, --max-messages below what one poll returned
     still commits the whole poll on close: the test stays clear of that.)
  4. --partition 0 --offset earliest without a group: all three values;
  5. gregor-consumer-perf-test --messages 3: Kafka's header and one data
     line whose data.consumed.in.nMsg column is 3.

usage: console_consumer_test.py <tools dir> <gregor-server> <source dir>
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'compat'))
from gregor_broker import GregorBroker  # noqa: E402

TOOLS, SERVER, SOURCE = sys.argv[1:4]


def tool(name, *args, stdin=None):
    out = subprocess.run([os.path.join(TOOLS, name), *args], input=stdin, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=60)
    return out.returncode, out.stdout, out.stderr


def expect(cond, what):
    if not cond:
        raise AssertionError(what)
    print('ok -', what.splitlines()[0])


with GregorBroker(SERVER, SOURCE) as broker:
    b = broker.bootstrap
    rc, _, err = tool('gregor-topics', '--bootstrap-server', b, '--create', '--topic', 'orders',
                      '--partitions', '1')
    expect(rc == 0, 'topic created\n' + err)
    rc, _, err = tool('gregor-console-producer', '--bootstrap-server', b, '--topic', 'orders',
                      '--property', 'parse.key=true', '--property', 'key.separator=:',
                      stdin='k1:hello\nk2:world\n')
    expect(rc == 0, 'two records produced\n' + err)

    consume = ['--bootstrap-server', b, '--topic', 'orders', '--group', 'billing',
               '--from-beginning', '--property', 'print.key=true', '--timeout-ms', '3000']
    rc, out, err = tool('gregor-console-consumer', *consume, '--max-messages', '2')
    expect(rc == 0 and out == 'k1\thello\nk2\tworld\n', 'first two with keys: %r\n%s' % (out, err))
    rc, _, err = tool('gregor-console-producer', '--bootstrap-server', b, '--topic', 'orders',
                      '--property', 'parse.key=true', '--property', 'key.separator=:',
                      stdin='k3:again\n')
    expect(rc == 0, 'a third record produced\n' + err)
    rc, out, err = tool('gregor-console-consumer', *consume, '--max-messages', '5')
    expect(out == 'k3\tagain\n', 'the group resumes after its commit: %r\n%s' % (out, err))
    rc, out, err = tool('gregor-console-consumer', '--bootstrap-server', b, '--topic', 'orders',
                        '--partition', '0', '--offset', 'earliest', '--max-messages', '3',
                        '--timeout-ms', '3000')
    expect(rc == 0 and out == 'hello\nworld\nagain\n', 'assign mode, no group: %r\n%s' % (out, err))

    rc, out, err = tool('gregor-consumer-perf-test', '--bootstrap-server', b, '--topic', 'orders',
                        '--messages', '3')
    lines = [l for l in out.splitlines() if l.strip()]
    expect(rc == 0 and len(lines) == 2, 'perf test: header and one line: %r\n%s' % (out, err))
    header = [c.strip() for c in lines[0].split(',')]
    values = [c.strip() for c in lines[1].split(',')]
    expect(header[:6] == ['start.time', 'end.time', 'data.consumed.in.MB', 'MB.sec',
                          'data.consumed.in.nMsg', 'nMsg.sec'], 'Kafka\'s columns: %r' % header)
    expect(values[4] == '3', 'three records consumed: %r' % values)
print('PASS console consumer and consumer perf test')
