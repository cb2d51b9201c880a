#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Gregor's own producer (include/gregor/producer.h) against a real
gregor-server, read back by kafkajs 2.2.4.

For each codec kafkajs can decompress here (none, gzip built in, snappy
through kafkajs-snappy; the committed lockfile has no lz4 or zstd codec)
kafka-python's admin creates a topic of 3 partitions and
gregor_producer_client sends the 10,000 records of
kafka_python_test.make_records with acks=all, as gregor_producer_test.py
does. kafkajs_read.js then fetches every partition from offset 0 to the
high watermark with kafkajs's own Broker class (every kafkajs consumer joins
a group: chapter 06) and each record's key, value, headers, timestamp and
timestamp type must match byte for byte at the partition and offset our
producer reported.

usage: gregor_producer_kafkajs_test.py <gregor-server> <gregor_producer_client>
                                        <source dir> <kafkajs dir>
<kafkajs dir> is the build tree's copy of tests/compat/kafkajs, where the
kafkajs_npm_ci test installed node_modules.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, 'kafkajs'))
from gregor_broker import GregorBroker  # noqa: E402
from gregor_producer_test import create_topics, produce  # noqa: E402
from kafka_python_test import PARTITIONS, compare  # noqa: E402
from run_kafkajs_test import CODECS, tool  # noqa: E402


class KafkajsRecord:
    """One record of kafkajs_read.js's output, shaped like kafka-python's
    ConsumerRecord for kafka_python_test.compare."""

    def __init__(self, j):
        def unb64(s):
            return None if s is None else base64.b64decode(s)
        self.key = unb64(j['key_b64'])
        self.value = unb64(j['value_b64'])
        self.headers = [(k, unb64(v)) for k, v in j['headers']]
        self.timestamp = j['timestamp']
        self.timestamp_type = j['timestamp_type']


def kafkajs_read_back(node, script, bootstrap, topic, out_path):
    """({(partition, offset): KafkajsRecord}, {partition: high watermark},
    Fetch requests made) as kafkajs_read.js fetched them."""
    proc = subprocess.run([node, script, bootstrap, topic, str(PARTITIONS), out_path],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=300)
    if proc.returncode != 0:
        raise AssertionError('%s: kafkajs_read.js exited %d:\n%s' %
                             (topic, proc.returncode, proc.stdout[-3000:]))
    with open(out_path) as f:
        result = json.load(f)
    got = {}
    for j in result['records']:
        po = (j['partition'], j['offset'])
        if po in got:
            raise AssertionError('%s: kafkajs returned %d-%d twice' % (topic, po[0], po[1]))
        got[po] = KafkajsRecord(j)
    return got, dict(enumerate(result['high_watermarks'])), sum(result['fetches'])


def main():
    server, client, source, directory = sys.argv[1:5]
    script = os.path.join(directory, 'kafkajs_read.js')
    if not os.path.isdir(os.path.join(directory, 'node_modules', 'kafkajs')):
        raise SystemExit('%s has no node_modules/kafkajs: run the kafkajs_npm_ci test first' %
                         directory)
    node = tool('node')
    work = tempfile.mkdtemp(prefix='gregor-producer-kafkajs-')
    try:
        with GregorBroker(server, source) as broker:
            b = broker.bootstrap
            topics = ['gregor-producer-kafkajs-%s' % c for c in CODECS]
            create_topics(b, topics, 'gregor-producer-kafkajs-admin')
            for codec, topic in zip(CODECS, topics):
                expected, seconds, summary = produce(client, b, topic, codec, work)
                t0 = time.monotonic()
                got, ends, fetches = kafkajs_read_back(node, script, b, topic,
                                              os.path.join(work, codec + '.json'))
                counts = compare(topic, expected, got, ends)
                print('gregor producer %-6s -> kafkajs: %d records byte for byte (key, value, '
                      'headers, timestamp) over partitions %s (produce %.1f s, kafkajs read '
                      '%.1f s in %d Fetch requests) [%s]' %
                      (codec, len(got), dict(sorted(counts.items())), seconds,
                       time.monotonic() - t0, fetches, summary))
        if broker.exit_code != 0:
            raise AssertionError('gregor-server exited with %s on SIGTERM' % broker.exit_code)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print('gregor producer kafkajs compat: ok')


if __name__ == '__main__':
    main()
