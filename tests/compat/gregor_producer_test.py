#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Gregor's own producer (include/gregor/producer.h) against a real
gregor-server, read back by kafka-python and by kcat (librdkafka).

For each codec (none, gzip, snappy, lz4, zstd) kafka-python's admin
creates a topic of 3 partitions; gregor_producer_client sends the 10,000
records of kafka_python_test.make_records (binary keys, some null; values
up to 60 KB, some null or empty; headers; explicit timestamps) with
acks=all; kafka-python reads every partition back and each record must
match byte for byte at the partition and offset our producer reported.
Every keyed record must sit on the partition kafka-python's
DefaultPartitioner (the Java client's murmur2) picks for its key. kcat then
reads every partition again and each record's key, value and timestamp
must match byte for byte too (kcat prints headers as text, so headers are
left to kafka-python's check).

usage: gregor_producer_test.py <gregor-server> <gregor_producer_client> <source dir>
"""
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gregor_broker import GregorBroker  # noqa: E402
from kafka_python_test import PARTITIONS, compare, make_records, read_back  # noqa: E402


def write_records(path, records):
    def blob(b):
        return struct.pack('>i', -1) if b is None else struct.pack('>i', len(b)) + b
    with open(path, 'wb') as f:
        for r in records:
            f.write(blob(r.key) + blob(r.value) + struct.pack('>i', len(r.headers)))
            for k, v in r.headers:
                f.write(blob(k.encode()) + blob(v))
            f.write(struct.pack('>q', r.timestamp))


def kcat_read_back(bootstrap, topic):
    """{(partition, offset): (key or None, value or None, timestamp)} read by
    kcat. Each record is printed as a text line with the lengths, then the
    raw key and value bytes, so binary data and newlines parse exactly."""
    out = subprocess.run(['kcat', '-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e',
                          '-q', '-f', '%p %o %T %K %S\n%k%s\n'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180)
    if out.returncode != 0:
        raise AssertionError('kcat failed (%d): %s' % (out.returncode, out.stderr[-2000:]))
    data, pos, got = out.stdout, 0, {}
    while pos < len(data):
        eol = data.index(b'\n', pos)
        p, o, ts, klen, vlen = map(int, data[pos:eol].split())
        pos = eol + 1
        key = None if klen < 0 else data[pos:pos + klen]
        pos += max(klen, 0)
        value = None if vlen < 0 else data[pos:pos + vlen]
        pos += max(vlen, 0)
        if data[pos:pos + 1] != b'\n':
            raise AssertionError('%s: kcat output out of step at %d-%d' % (topic, p, o))
        pos += 1
        got[(p, o)] = (key, value, ts)
    return got


def create_topics(bootstrap, topics, client_id):
    """kafka-python's admin creates each topic with PARTITIONS partitions."""
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000,
                             client_id=client_id)
    try:
        resp = admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in topics],
                                   timeout_ms=30000)
        errors = [e for e in resp.topic_errors if e[1] != 0]
        if errors:
            raise AssertionError('create_topics errors: %r' % errors)
    finally:
        admin.close()


def produce(client, bootstrap, topic, codec, work):
    """gregor_producer_client sends make_records(crc32('gregor-' + codec)) to
    topic with acks=all. Returns ({(partition, offset): Record} as the
    producer reported them, seconds, the client's summary line); every
    keyed record must be on its murmur2 partition."""
    from kafka.partitioner.default import murmur2
    records = make_records(zlib.crc32(('gregor-' + codec).encode()))
    rec_path = os.path.join(work, codec + '.records')
    out_path = os.path.join(work, codec + '.out')
    write_records(rec_path, records)
    t0 = time.monotonic()
    proc = subprocess.run([client, 'produce', bootstrap, topic, codec, rec_path, out_path],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=300)
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        raise AssertionError('%s: client exited %d:\n%s' %
                             (topic, proc.returncode, proc.stdout[-3000:]))
    with open(out_path) as f:
        lines = f.read().splitlines()
    if len(lines) != len(records):
        raise AssertionError('%s: %d results for %d records' %
                             (topic, len(lines), len(records)))
    expected = {}
    misplaced = 0
    for r, line in zip(records, lines):
        partition, offset, ts = map(int, line.split())
        if ts != r.timestamp:
            raise AssertionError('%s: metadata timestamp %d, sent %d' %
                                 (topic, ts, r.timestamp))
        if r.key is not None and \
                (murmur2(r.key) & 0x7fffffff) % PARTITIONS != partition:
            misplaced += 1
        expected[(partition, offset)] = r
    if misplaced:
        raise AssertionError('%s: %d keyed records not on the murmur2 partition' %
                             (topic, misplaced))
    return expected, seconds, proc.stdout.strip()


def main():
    server, client, source = sys.argv[1], sys.argv[2], sys.argv[3]
    codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
    work = tempfile.mkdtemp(prefix='gregor-producer-compat-')
    with GregorBroker(server, source) as broker:
        b = broker.bootstrap
        topics = ['gregor-producer-%s' % c for c in codecs]
        create_topics(b, topics, 'gregor-producer-compat-admin')
        for codec, topic in zip(codecs, topics):
            expected, seconds, summary = produce(client, b, topic, codec, work)
            got, ends = read_back(b, topic)
            counts = compare(topic, expected, got, ends)
            by_kcat = kcat_read_back(b, topic)
            if set(by_kcat) != set(expected):
                raise AssertionError('%s: kcat read %d records, %d expected' %
                                     (topic, len(by_kcat), len(expected)))
            for po, r in expected.items():
                if by_kcat[po] != (r.key, r.value, r.timestamp):
                    raise AssertionError('%s: kcat sees %s-%d differently' %
                                         (topic, po[0], po[1]))
            print('gregor producer %-6s acks=all: %d records byte for byte (kafka-python '
                  'and kcat), keyed ones on '
                  'murmur2 partitions %s (produce %.1f s) [%s]' %
                  (codec, len(got), dict(sorted(counts.items())), seconds, summary))
    if broker.exit_code != 0:
        raise AssertionError('gregor-server exited with %s on SIGTERM' % broker.exit_code)
    print('gregor producer compat: ok')


if __name__ == '__main__':
    main()
