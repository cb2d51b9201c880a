#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Log compaction in a running gregor-server, read by kcat and kafka-python.

1. gregor-topics --create --config cleanup.policy=compact (plus a small
   segment.bytes and min.cleanable.dirty.ratio): the configs pass through;
   an out-of-range one is INVALID_CONFIG.
2. kcat produces ROUNDS overwrites of KEYS keys; a kcat record without a
   key is refused with INVALID_RECORD.
3. Within a deadline the cleaner thread cleans: /metrics shows bytes
   read and written, and below the active segment every key is left once.
4. kcat -C -e -o beginning: every key's latest value is there, offsets
   strictly increase with gaps, no overwritten value survives below the
   active segment.
5. kafka-python (assign + seek_to_beginning, no group) reads the same
   records across the gaps.
6. After a clean restart on the same data: the topic is still compacted
   (a keyless record is still refused), new overwrites are cleaned from
   the old checkpoint on, and 3-5 hold again.

usage: compaction_test.py <gregor-server> <gregor-topics> <source dir>
"""
import os
import re
import subprocess
import sys
import shutil
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gregor_broker import GregorBroker  # noqa: E402

SERVER, TOPICS, SOURCE = sys.argv[1:4]
TOPIC = 'compacted'
KEYS = 5
ROUNDS = 300
DEADLINE_S = 60
failures = []


def check(name, ok, detail=''):
    print('%s %s%s' % ('PASS' if ok else 'FAIL', name, '' if ok else ': ' + str(detail)[-2000:]))
    if not ok:
        failures.append(name)


def run(args, stdin=None, timeout=120):
    return subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=timeout)


def scrape(broker):
    url = 'http://127.0.0.1:%d/metrics' % broker.metrics_port
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()


def metric(text, name):
    m = re.search('^' + re.escape(name) + r' (\S+)$', text, re.M)
    return float(m.group(1)) if m else None


def consume(bootstrap):
    """(offset, key, value) of every record, by kcat from the beginning."""
    r = run(['kcat', '-C', '-b', bootstrap, '-t', TOPIC, '-p', '0', '-o', 'beginning', '-e',
             '-q', '-f', '%o\t%k\t%s\n'])
    if r.returncode != 0:
        raise AssertionError('kcat -C failed: ' + r.stderr)
    rows = []
    for line in r.stdout.splitlines():
        o, k, v = line.split('\t')
        rows.append((int(o), k, v))
    return rows


def active_base(data):
    """The base offset of the partition's newest (active) segment, from its files."""
    d = os.path.join(data, TOPIC + '-0')
    return max(int(f[:-4]) for f in os.listdir(d) if f.endswith('.log'))


def cleaned_once(rows, below):
    keys = [k for o, k, _ in rows if o < below]
    return len(keys) == len(set(keys))


def produce_overwrites(b, tag):
    """ROUNDS rounds over KEYS keys; returns the (key, value) pairs sent, in order."""
    sent = [('key-%d' % k, 'value-%d-%s-%04d' % (k, tag, n))
            for n in range(ROUNDS) for k in range(KEYS)]
    # Small batches: one produce must fit segment.bytes.
    r = run(['kcat', '-P', '-b', b, '-t', TOPIC, '-p', '0', '-K', ':', '-X', 'batch.size=1000',
             '-X', 'linger.ms=5'], stdin=''.join('%s:%s\n' % kv for kv in sent))
    check('%s: kcat produces the overwrites' % tag, r.returncode == 0, r.stderr)
    r = run(['kcat', '-P', '-b', b, '-t', TOPIC, '-p', '0'], stdin='no key here\n')
    # librdkafka's text for error 87 (RD_KAFKA_RESP_ERR_INVALID_RECORD).
    check('%s: a record without key is refused with INVALID_RECORD' % tag,
          'Broker failed to validate record' in r.stderr, 'rc=%d %s' % (r.returncode, r.stderr))
    return sent


def wait_cleaned(broker, tag):
    """Polls /metrics and the log until below the active segment each key is left once."""
    deadline = time.monotonic() + DEADLINE_S
    rows, base, text = [], 0, ''
    while time.monotonic() < deadline:
        text = scrape(broker)
        read = metric(text, 'kafka_log_logcleaner_bytes_read_total') or 0
        base = active_base(DATA)
        rows = consume(broker.bootstrap)
        if read > 0 and cleaned_once(rows, base):
            break
        time.sleep(0.5)
    check('%s: the cleaner ran within %d s' % (tag, DEADLINE_S),
          (metric(text, 'kafka_log_logcleaner_bytes_read_total') or 0) > 0, text[-1500:])
    check('%s: bytes written are counted' % tag,
          (metric(text, 'kafka_log_logcleaner_bytes_written_total') or 0) > 0)
    check('%s: time since last run is exposed' % tag,
          metric(text, 'kafka_log_logcleaner_time_since_last_run_ms') is not None)
    check('%s: max dirty percent is exposed' % tag,
          metric(text, 'kafka_log_logcleanermanager_max_dirty_percent') is not None)
    return rows, base


def verify(tag, rows, base, sent):
    """kcat's view of the compacted log against everything sent (offset i = sent[i])."""
    latest = dict(sent)
    offsets = [o for o, _, _ in rows]
    check('%s: every key has its latest value' % tag, dict((k, v) for _, k, v in rows) == latest,
          rows[-KEYS:])
    check('%s: offsets strictly increase' % tag,
          all(a < c for a, c in zip(offsets, offsets[1:])), offsets)
    check('%s: the log has gaps (cleaned)' % tag,
          offsets and offsets[-1] + 1 > len(offsets) and len(rows) < len(sent), len(rows))
    check('%s: below the active segment each key is left once' % tag, cleaned_once(rows, base),
          [(o, k) for o, k, _ in rows if o < base])
    # Every produce succeeded (the keyless ones append nothing), so offset
    # i holds the i-th record sent: cleaning must keep offsets, and below
    # the active segment keep only each key's last record there.
    moved = [(o, k, v) for o, k, v in rows if o >= len(sent) or sent[o] != (k, v)]
    check('%s: every record kept its offset' % tag, not moved, moved[:5])
    last_below = {}
    for o, (k, _) in enumerate(sent[:base]):
        last_below[k] = o
    stale = [(o, k, v) for o, k, v in rows if o < base and last_below.get(k) != o]
    check('%s: no overwritten value survives in the cleaned section' % tag, not stale, stale[:5])


def read_with_kafka_python(tag, b, rows, sent):
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=b, group_id=None, enable_auto_commit=False,
                             consumer_timeout_ms=5000, request_timeout_ms=15000)
    tp = TopicPartition(TOPIC, 0)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    py_rows = []
    end = consumer.end_offsets([tp])[tp]
    for m in consumer:
        py_rows.append((m.offset, m.key.decode(), m.value.decode()))
        if m.offset + 1 >= end:
            break
    consumer.close()
    check('%s: kafka-python sees the same latest values' % tag,
          dict((k, v) for _, k, v in py_rows) == dict(sent), py_rows[-KEYS:])
    check('%s: kafka-python reads the same records across the gaps' % tag,
          [o for o, _, _ in py_rows] == [o for o, _, _ in rows], (len(py_rows), len(rows)))


DATA = tempfile.mkdtemp(prefix='gregor-compaction-')
OVERRIDES = {'gregor.metrics.listener': '127.0.0.1:0',
             'log.dirs': DATA,  # after GregorBroker's own: kept across the restart
             'log.cleaner.backoff.ms': '200',
             'log.cleaner.dedupe.buffer.size': str(8 << 20)}
try:
    with GregorBroker(SERVER, SOURCE, overrides=OVERRIDES) as broker:
        b = broker.bootstrap
        r = run([TOPICS, '--bootstrap-server', b, '--create', '--topic', 'bad', '--config',
                 'cleanup.policy=compact', '--config', 'min.cleanable.dirty.ratio=2'])
        check('out-of-range topic config is INVALID_CONFIG',
              r.returncode != 0 and 'INVALID_CONFIG' in r.stderr, r.stdout + r.stderr)
        r = run([TOPICS, '--bootstrap-server', b, '--create', '--topic', TOPIC, '--partitions',
                 '1', '--config', 'cleanup.policy=compact', '--config', 'segment.bytes=4096',
                 '--config', 'min.cleanable.dirty.ratio=0.01'])
        check('gregor-topics --config creates a compacted topic',
              r.returncode == 0 and 'Created topic' in r.stdout, r.stdout + r.stderr)
        sent = produce_overwrites(b, 'first')
        rows, base = wait_cleaned(broker, 'first')
        verify('first', rows, base, sent)
        read_with_kafka_python('first', b, rows, sent)
    # A clean stop with cleaner threads running (and, under a sanitizer, no report).
    check('the broker shut down cleanly', broker.exit_code == 0, broker.exit_code)

    with GregorBroker(SERVER, SOURCE, overrides=OVERRIDES) as broker:
        b = broker.bootstrap
        sent += produce_overwrites(b, 'restart')
        rows, base = wait_cleaned(broker, 'restart')
        verify('restart', rows, base, sent)
        read_with_kafka_python('restart', b, rows, sent)
    check('the restarted broker shut down cleanly', broker.exit_code == 0, broker.exit_code)
finally:
    shutil.rmtree(DATA, ignore_errors=True)

print('%d failure(s)' % len(failures))
sys.exit(1 if failures else 0)
