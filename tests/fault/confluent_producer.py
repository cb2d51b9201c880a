#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The second-opinion workload driver: confluent-kafka-python (librdkafka)
with delivery reports, writing the same outcome lines as fault_producer.cpp
(send / ok / fail / info / done; see that file) for fault_checker.py.

usage: confluent_producer.py <bootstrap> <topic> <acks> <tag> <out-file>
           [--rate N] [--max-records N] [--value-bytes N]
           [--request-timeout-ms N] [--delivery-timeout-ms N]

Runs until SIGTERM/SIGINT or --max-records, then flushes for at most the
delivery timeout plus 10 s. A delivery report with an error is "info"
(indeterminate), except librdkafka's local refusals that never reach the
wire (message too large, invalid argument): "fail". Idempotence is off
(librdkafka's default), so a retried request may write a record twice.
"""
import argparse
import signal
import sys
import time

import confluent_kafka
from confluent_kafka import KafkaError

# Refused locally before any request: definitely not written.
DEFINITE = {getattr(KafkaError, n) for n in ('MSG_SIZE_TOO_LARGE', '_INVALID_ARG',
                                             '_UNKNOWN_PARTITION', '_UNKNOWN_TOPIC')
            if hasattr(KafkaError, n)}

stop = False


def on_signal(signum, frame):
    global stop
    stop = True


def main():
    ap = argparse.ArgumentParser()
    for name in ('bootstrap', 'topic', 'acks', 'tag', 'out'):
        ap.add_argument(name)
    ap.add_argument('--rate', type=int, default=500)
    ap.add_argument('--max-records', type=int, default=-1)
    ap.add_argument('--value-bytes', type=int, default=64)
    ap.add_argument('--request-timeout-ms', type=int, default=3000)
    ap.add_argument('--delivery-timeout-ms', type=int, default=30000)
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    out = open(a.out, 'w')
    counts = {'ok': 0, 'fail': 0, 'info': 0}
    p = confluent_kafka.Producer({
        'bootstrap.servers': a.bootstrap, 'acks': a.acks, 'linger.ms': 5,
        'request.timeout.ms': a.request_timeout_ms,
        'message.timeout.ms': a.delivery_timeout_ms,
        'socket.timeout.ms': a.request_timeout_ms,
        'retry.backoff.ms': 50, 'reconnect.backoff.ms': 50, 'reconnect.backoff.max.ms': 500,
        'client.id': 'confluent-fault-' + a.tag})

    def report(rid):
        def cb(err, msg):
            if err is None:
                counts['ok'] += 1
                out.write('ok %d %d %d\n' % (rid, msg.partition(), msg.offset()))
            elif err.code() in DEFINITE:
                counts['fail'] += 1
                out.write('fail %d %s\n' % (rid, err.name()))
            else:
                counts['info'] += 1
                out.write('info %d %s\n' % (rid, err.name()))
        return cb

    sent = 0
    start = last_flush = time.monotonic()
    while not stop and (a.max_records < 0 or sent < a.max_records):
        due = int((time.monotonic() - start) * a.rate) + 1
        if a.max_records >= 0:
            due = min(due, a.max_records)
        while sent < due and not stop:
            rid = sent
            value = ('%s:%d:' % (a.tag, rid)).ljust(a.value_bytes, '.')
            out.write('send %d\n' % rid)
            try:
                p.produce(a.topic, key='key-%d' % (rid % 31), value=value,
                          on_delivery=report(rid))
            except BufferError:  # local queue full: retry this id after serving reports
                p.poll(0.05)
                continue
            except KafkaError as e:  # refused locally
                counts['fail'] += 1
                out.write('fail %d %s\n' % (rid, e.args[0].name()))
            sent += 1
        p.poll(0.002)
        if time.monotonic() - last_flush > 0.1:
            out.flush()
            last_flush = time.monotonic()
    out.flush()
    left = p.flush(a.delivery_timeout_ms / 1000.0 + 10)
    out.write('done sent=%d ok=%d fail=%d info=%d\n' % (sent, counts['ok'], counts['fail'],
                                                        counts['info']))
    out.close()
    print('confluent_producer %s: sent %d ok %d fail %d info %d, %d without a report' %
          (a.tag, sent, counts['ok'], counts['fail'], counts['info'], left))
    return 0


if __name__ == '__main__':
    sys.exit(main())
