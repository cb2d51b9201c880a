#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""confluent-kafka-python (Debian 1.7.0 on the system librdkafka) against a
real gregor-server.

Its AdminClient creates one topic of 3 partitions per codec. For each codec
(none, gzip, snappy, lz4, zstd) the Producer sends 10,000 records with
binary keys (some null), values (some null, some 20-60 KB), two headers
(some records none) and explicit timestamps, and every delivery report
must come back without error, with the partition, offset and timestamp.
The Consumer needs a group (chapter 06), so kafka-python's group-less
KafkaConsumer (assign + seek) reads every partition back; each record must
match byte for byte at the offset its delivery report gave.

usage: confluent_kafka_test.py <gregor-server> <source dir>
"""
import os
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gregor_broker import GregorBroker  # noqa: E402
from kafka_python_test import PARTITIONS, compare, make_records, read_back  # noqa: E402

CODECS = [('none', 'all'), ('gzip', '1'), ('snappy', 'all'), ('lz4', '1'), ('zstd', 'all')]


def produce(bootstrap, topic, records, codec, acks):
    import confluent_kafka
    p = confluent_kafka.Producer({'bootstrap.servers': bootstrap, 'compression.type': codec,
                                  'acks': acks, 'linger.ms': 5, 'message.timeout.ms': 60000,
                                  'client.id': 'gregor-compat-confluent'})
    reports = [None] * len(records)

    def on_delivery(i):
        def cb(err, msg):
            reports[i] = (err, msg.partition(), msg.offset(), msg.timestamp())
        return cb

    deadline = time.monotonic() + 120
    for i, r in enumerate(records):
        while True:
            try:
                p.produce(topic, value=r.value, key=r.key, headers=r.headers,
                          timestamp=r.timestamp, on_delivery=on_delivery(i))
                break
            except BufferError:  # local queue full: serve delivery reports
                p.poll(0.1)
                if time.monotonic() > deadline:
                    raise AssertionError('%s: producer queue stuck' % topic)
        p.poll(0)
    left = p.flush(60)
    if left:
        raise AssertionError('%s: %d messages still in flight after flush(60)' % (topic, left))
    expected = {}
    for i, (r, rep) in enumerate(zip(records, reports)):
        if rep is None:
            raise AssertionError('%s: no delivery report for record %d' % (topic, i))
        err, partition, offset, (ts_type, ts) = rep
        if err is not None:
            raise AssertionError('%s: record %d failed: %s' % (topic, i, err))
        if ts_type != confluent_kafka.TIMESTAMP_CREATE_TIME or ts != r.timestamp:
            raise AssertionError('%s: record %d report timestamp %s, sent %d' %
                                 (topic, i, (ts_type, ts), r.timestamp))
        expected[(partition, offset)] = r
    return expected


def main():
    import confluent_kafka
    from confluent_kafka.admin import AdminClient, NewTopic

    server, source = sys.argv[1], sys.argv[2]
    print('confluent-kafka %s on librdkafka %s' % (confluent_kafka.version()[0],
                                                   confluent_kafka.libversion()[0]))
    topics = ['confluent-%s' % codec for codec, _ in CODECS]
    with GregorBroker(server, source) as broker:
        b = broker.bootstrap
        admin = AdminClient({'bootstrap.servers': b})
        futures = admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in topics],
                                      operation_timeout=30, request_timeout=30)
        for t, f in futures.items():
            f.result(timeout=60)
        md = admin.list_topics(timeout=30)
        for t in topics:
            if t not in md.topics or len(md.topics[t].partitions) != PARTITIONS:
                raise AssertionError('list_topics: %s missing or not %d partitions' % (t, PARTITIONS))
        print('confluent AdminClient created and listed %d topics of %d partitions' %
              (len(topics), PARTITIONS))

        for (codec, acks), topic in zip(CODECS, topics):
            records = make_records(zlib.crc32(topic.encode()))
            t0 = time.monotonic()
            expected = produce(b, topic, records, codec, acks)
            t1 = time.monotonic()
            got, ends = read_back(b, topic)
            t2 = time.monotonic()
            counts = compare(topic, expected, got, ends)
            print('confluent %-6s acks=%-3s: %d delivery reports, %d records back byte for byte '
                  'over partitions %s (produce %.1f s, kafka-python read %.1f s)' %
                  (codec, acks, len(expected), len(got), dict(sorted(counts.items())),
                   t1 - t0, t2 - t1))
        del admin  # disconnect before the broker stops
    if broker.exit_code != 0:
        raise AssertionError('gregor-server exited with %s on SIGTERM' % broker.exit_code)
    print('confluent-kafka compat: ok')


if __name__ == '__main__':
    main()
