#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""kafkajs 2.2.4 against a real gregor-server.

    run_kafkajs_test.py --npm-ci <dir>                 # test set-up: npm ci in <dir>
    run_kafkajs_test.py <gregor-server> <source dir> <dir>

<dir> is a copy of this directory in the build tree (package.json, the
committed package-lock.json, kafkajs_test.js); `npm ci` installs kafkajs
and kafkajs-snappy there, never in the source tree. node and npm are
whatever is on PATH.

The test starts a broker, makes 10,000 records per codec kafkajs supports
here (none, gzip built in, snappy through kafkajs-snappy) with binary keys
(some null), values (some null, some 20-60 KB), two headers (some none) and
explicit timestamps, and runs kafkajs_test.js: admin createTopics /
fetchTopicMetadata / listTopics / deleteTopics and producer send(), record
i to partition i % 3. Every kafkajs consumer joins a group (chapter 06), so
kafka-python's group-less KafkaConsumer reads every partition back and each
record must match byte for byte at the offset the send() acknowledgements
imply.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from gregor_broker import GregorBroker  # noqa: E402
from kafka_python_test import PARTITIONS, compare, make_records, read_back  # noqa: E402

CODECS = ['none', 'gzip', 'snappy']


def tool(name):
    path = shutil.which(name)
    if not path:
        raise SystemExit('%s is not on PATH (scripts/install-deps.sh installs nodejs and npm)' % name)
    return path


def npm_ci(directory):
    t0 = time.monotonic()
    subprocess.run([tool('npm'), 'ci', '--no-audit', '--no-fund'], cwd=directory,
                   check=True, timeout=280)
    print('npm ci in %s: %.1f s' % (directory, time.monotonic() - t0))


def b64(b):
    return None if b is None else base64.b64encode(b).decode()


def main():
    if sys.argv[1] == '--npm-ci':
        return npm_ci(sys.argv[2])
    server, source, directory = sys.argv[1], sys.argv[2], sys.argv[3]
    script = os.path.join(directory, 'kafkajs_test.js')
    if not os.path.isdir(os.path.join(directory, 'node_modules', 'kafkajs')):
        raise SystemExit('%s has no node_modules/kafkajs: run the kafkajs_npm_ci test first' % directory)
    node = tool('node')
    plan, wanted = {}, {}
    for codec in CODECS:
        topic = 'kafkajs-%s' % codec
        records = make_records(zlib.crc32(topic.encode()))
        wanted[codec] = (topic, records)
        plan[codec] = {'topic': topic, 'records': [
            [b64(r.key), b64(r.value), [[h, b64(v)] for h, v in r.headers], r.timestamp]
            for r in records]}
    work = tempfile.mkdtemp(prefix='gregor-kafkajs-')
    try:
        plan_file = os.path.join(work, 'records.json')
        result_file = os.path.join(work, 'result.json')
        with open(plan_file, 'w') as f:
            json.dump(plan, f)
        with GregorBroker(server, source) as broker:
            t0 = time.monotonic()
            subprocess.run([node, script, broker.bootstrap, plan_file, result_file],
                           check=True, timeout=300)
            print('kafkajs_test.js: %.1f s' % (time.monotonic() - t0))
            with open(result_file) as f:
                result = json.load(f)
            for codec in CODECS:
                topic, records = wanted[codec]
                # Record i went to partition i % 3; each send() acknowledgement gives the
                # base offset of its chunk in that partition, and the chunks follow each other.
                next_offset = [0] * PARTITIONS
                for start, partition, base in result['sends'][codec]:
                    if base != next_offset[partition]:
                        raise AssertionError('%s: send() of records %d.. got base offset %d on '
                                             'partition %d, expected %d' %
                                             (topic, start, base, partition, next_offset[partition]))
                    next_offset[partition] += sum(1 for i in range(start, min(start + 500, len(records)))
                                                  if i % PARTITIONS == partition)
                expected = {(i % PARTITIONS, i // PARTITIONS): r for i, r in enumerate(records)}
                t1 = time.monotonic()
                got, ends = read_back(broker.bootstrap, topic)
                counts = compare(topic, expected, got, ends)
                print('kafkajs %-6s: %d records back byte for byte over partitions %s '
                      '(kafka-python read %.1f s)' % (codec, len(got), dict(sorted(counts.items())),
                                                      time.monotonic() - t1))
        if broker.exit_code != 0:
            raise AssertionError('gregor-server exited with %s on SIGTERM' % broker.exit_code)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print('kafkajs compat: ok')


if __name__ == '__main__':
    main()
