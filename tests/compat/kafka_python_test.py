#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""kafka-python 2.0.2 against a real gregor-server.

The admin client (api_version auto-detected, never passed) creates one
topic of 3 partitions per codec, lists them, and is refused a duplicate.
For each codec (none, gzip, snappy, lz4, zstd) KafkaProducer sends 10,000
records with binary keys (some null), values (some null, some 20-60 KB),
two headers (some records none) and explicit timestamps. KafkaConsumer,
with no group_id, assign() + seek_to_beginning() and consumer_timeout_ms,
reads every partition back, and each record must match byte for byte at
the partition and offset the producer was told (key, value, headers,
timestamp, CreateTime). Then seek(), seek_to_end(), end_offsets() and
offsets_for_times() land where they should, and the admin client deletes
the topics.

The helpers below (make_records, read_back, compare) are shared by the
confluent-kafka and kafkajs tests, which read back with kafka-python.

usage: kafka_python_test.py <gregor-server> <source dir>
"""
import os
import random
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gregor_broker import GregorBroker  # noqa: E402

RECORDS = 10000
PARTITIONS = 3
BASE_TS = 1700000000000  # explicit CreateTime of record 0; record i has BASE_TS + i
WORDS = [b'kafka', b'gregor', b'log', b'segment', b'offset', b'partition', b'replica',
         b'broker', b'\x00\x01', b'\xff\xfe\xfd', b'caf\xc3\xa9', b' ']


class Record:
    __slots__ = ('key', 'value', 'headers', 'timestamp')

    def __init__(self, key, value, headers, timestamp):
        self.key, self.value, self.headers, self.timestamp = key, value, headers, timestamp

    def __repr__(self):
        def short(b):
            return None if b is None else (b[:24] + (b'...' if len(b) > 24 else b''))
        return 'Record(key=%r, value=%r (%s bytes), headers=%r, ts=%d)' % (
            short(self.key), short(self.value),
            None if self.value is None else len(self.value), self.headers, self.timestamp)


def make_records(seed, n=RECORDS, base_ts=BASE_TS):
    """n records mixing compressible text and random bytes, null keys and
    values, empty values, large values and records without headers."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        key = None if i % 97 == 50 else b'key-%d-' % i + rng.randbytes(rng.randrange(0, 16))
        if i % 101 == 0 and key is not None:  # kafka-python refuses key and value both null
            value = None
        elif i % 103 == 0:
            value = b''
        elif i % 997 == 0:
            value = rng.randbytes(rng.randrange(20000, 60000))
        elif i % 2:
            value = rng.randbytes(rng.randrange(1, 300))
        else:
            value = b' '.join(rng.choice(WORDS) for _ in range(rng.randrange(1, 60)))
        if i % 89 == 0:
            headers = []
        else:
            headers = [('trace', b'%08d' % i), ('bin', rng.randbytes(rng.randrange(0, 12)))]
        out.append(Record(key, value, headers, base_ts + i))
    return out


def consumer(bootstrap, **extra):
    from kafka import KafkaConsumer
    conf = dict(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                auto_offset_reset='earliest', consumer_timeout_ms=5000,
                request_timeout_ms=30000, client_id='gregor-compat-reader')
    conf.update(extra)
    return KafkaConsumer(**conf)


def read_back(bootstrap, topic, partitions=PARTITIONS, timeout=180):
    """Every record of every partition of topic, as {(partition, offset): ConsumerRecord},
    read by a group-less KafkaConsumer from the beginning until 5 s pass with nothing new."""
    from kafka import TopicPartition
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    c = consumer(bootstrap)
    try:
        c.assign(tps)
        c.seek_to_beginning()
        got = {}
        deadline = time.monotonic() + timeout
        for r in c:  # stops after consumer_timeout_ms without a record
            if (r.partition, r.offset) in got:
                raise AssertionError('%s-%d offset %d delivered twice' % (topic, r.partition, r.offset))
            got[(r.partition, r.offset)] = r
            if time.monotonic() > deadline:
                raise AssertionError('%s: read back took over %d s' % (topic, timeout))
        ends = c.end_offsets(tps)
        return got, {tp.partition: off for tp, off in ends.items()}
    finally:
        c.close(autocommit=False)


def compare(topic, expected, got, ends=None):
    """expected: {(partition, offset): Record}; got: {(partition, offset): ConsumerRecord}."""
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    if missing or extra:
        raise AssertionError('%s: %d records back, %d expected; missing e.g. %s, extra e.g. %s' %
                             (topic, len(got), len(expected), missing[:5], extra[:5]))
    for po in sorted(expected):
        e, g = expected[po], got[po]
        back = (g.key, g.value, [(k, bytes(v) if v is not None else None) for k, v in g.headers],
                g.timestamp, g.timestamp_type)
        want = (e.key, e.value, e.headers, e.timestamp, 0)
        if back != want:
            raise AssertionError('%s-%d offset %d differs:\n  sent %r\n  got  key=%r value=%r '
                                 'headers=%r ts=%d type=%d' % (topic, po[0], po[1], e,
                                                                 g.key, (g.value or b'')[:24],
                                                                 g.headers, g.timestamp,
                                                                 g.timestamp_type))
    counts = {}
    for p, o in expected:
        counts[p] = counts.get(p, 0) + 1
    for p, n in counts.items():
        offsets = sorted(o for q, o in expected if q == p)
        if offsets != list(range(n)):
            raise AssertionError('%s-%d: offsets are not 0..%d' % (topic, p, n - 1))
        if ends is not None and ends.get(p) != n:
            raise AssertionError('%s-%d: end offset %s, expected %d' % (topic, p, ends.get(p), n))
    return counts


def produce_kafka_python(bootstrap, topic, records, codec, acks):
    from kafka import KafkaProducer
    p = KafkaProducer(bootstrap_servers=bootstrap, compression_type=codec, acks=acks,
                      linger_ms=5, request_timeout_ms=30000, max_block_ms=30000,
                      client_id='gregor-compat-kafka-python')
    try:
        if codec == 'zstd' and p.config['api_version'] < (2, 1, 0):
            raise AssertionError('zstd needs api_version >= 2.1, inferred %s' %
                                 (p.config['api_version'],))
        futures = [p.send(topic, value=r.value, key=r.key, headers=r.headers,
                          timestamp_ms=r.timestamp) for r in records]
        p.flush(timeout=120)
        expected = {}
        for r, f in zip(records, futures):
            md = f.get(timeout=1)
            if md.timestamp != r.timestamp:
                raise AssertionError('%s: metadata timestamp %d, sent %d' %
                                     (topic, md.timestamp, r.timestamp))
            expected[(md.partition, md.offset)] = r
        return expected, p.config['api_version']
    finally:
        p.close(timeout=10)


def main():
    from kafka import KafkaAdminClient, TopicPartition
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError

    server, source = sys.argv[1], sys.argv[2]
    codecs = [(None, 'none', 1), ('gzip', 'gzip', 'all'), ('snappy', 'snappy', 1),
              ('lz4', 'lz4', 'all'), ('zstd', 'zstd', 1)]
    topics = ['kafka-python-%s' % name for _, name, _ in codecs]
    with GregorBroker(server, source) as broker:
        b = broker.bootstrap
        admin = KafkaAdminClient(bootstrap_servers=b, request_timeout_ms=30000,
                                 client_id='gregor-compat-admin')
        try:
            print('kafka-python admin inferred api_version %s' % (admin.config['api_version'],))
            resp = admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in topics],
                                       timeout_ms=30000)
            errors = [e for e in resp.topic_errors if e[1] != 0]
            if errors:
                raise AssertionError('create_topics errors: %r' % errors)
            listed = set(admin.list_topics())
            if not set(topics) <= listed:
                raise AssertionError('list_topics %r lacks %r' % (listed, set(topics) - listed))
            try:
                admin.create_topics([NewTopic(topics[0], PARTITIONS, 1)], timeout_ms=30000)
                raise AssertionError('creating %s twice did not fail' % topics[0])
            except TopicAlreadyExistsError:
                pass
            print('kafka-python admin created and listed %d topics of %d partitions; '
                  'a duplicate is refused' % (len(topics), PARTITIONS))

            by_topic = {}
            for (codec, name, acks), topic in zip(codecs, topics):
                records = make_records(zlib.crc32(name.encode()))
                t0 = time.monotonic()
                expected, api = produce_kafka_python(b, topic, records, codec, acks)
                t1 = time.monotonic()
                got, ends = read_back(b, topic)
                t2 = time.monotonic()
                counts = compare(topic, expected, got, ends)
                by_topic[topic] = expected
                print('kafka-python %-6s acks=%-3s api=%s: %d records byte for byte over '
                      'partitions %s (produce %.1f s, consume %.1f s)' %
                      (name, acks, '.'.join(map(str, api)), len(got),
                       dict(sorted(counts.items())), t1 - t0, t2 - t1))

            # seek(), seek_to_end(), offsets_for_times() on partition 0 of the first topic.
            topic = topics[0]
            expected = by_topic[topic]
            n0 = sum(1 for p, _ in expected if p == 0)
            mid = n0 // 2
            tp = TopicPartition(topic, 0)
            c = consumer(b, consumer_timeout_ms=3000)
            try:
                c.assign([tp])
                c.seek(tp, mid)
                offs = [r.offset for r in c]
                if offs != list(range(mid, n0)):
                    raise AssertionError('seek(%d) read %s..%s (%d records)' %
                                         (mid, offs[:1], offs[-1:], len(offs)))
                c.seek_to_end(tp)
                if c.position(tp) != n0 or list(c):
                    raise AssertionError('seek_to_end: position %d or records left' % c.position(tp))
                c.seek_to_beginning(tp)
                first = next(c)
                if first.offset != 0:
                    raise AssertionError('seek_to_beginning read offset %d first' % first.offset)
                ts = expected[(0, mid)].timestamp
                found = c.offsets_for_times({tp: ts})[tp]
                if found is None or found.offset != mid or found.timestamp != ts:
                    raise AssertionError('offsets_for_times(%d) = %r, expected offset %d' %
                                         (ts, found, mid))
            finally:
                c.close(autocommit=False)
            print('kafka-python seek(%d) / seek_to_end / seek_to_beginning / '
                  'offsets_for_times land on %d / %d / 0 / %d' % (mid, mid, n0, mid))

            resp = admin.delete_topics(topics, timeout_ms=30000)
            errors = [e for e in resp.topic_error_codes if e[1] != 0]
            if errors:
                raise AssertionError('delete_topics errors: %r' % errors)
            left = set(topics) & set(admin.list_topics())
            if left:
                raise AssertionError('topics still listed after delete: %r' % left)
            print('kafka-python admin deleted the %d topics' % len(topics))
        finally:
            admin.close()
    if broker.exit_code != 0:
        raise AssertionError('gregor-server exited with %s on SIGTERM' % broker.exit_code)
    print('kafka-python compat: ok')


if __name__ == '__main__':
    main()
