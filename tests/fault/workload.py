# SPDX-License-Identifier: Apache-2.0
"""The fault harness's workload: producer processes and the reader.

ProducerProcess runs one workload driver, Gregor's (fault_producer) or
confluent-kafka-python's (confluent_producer.py), as its own process with
its outcome file; acked() counts its "ok" lines so far (the nemesis waits
for progress between faults). stop() sends SIGTERM and waits for the
driver's bounded flush; kill() is the last resort in a finally block.

read_pass() is one reader pass with kafka-python's group-less consumer
(assign + seek, no group until chapter 06): every partition from its log
start to the end offset (high watermark) taken when the pass began, as
[(partition, offset, value)] in poll order, for fault_checker.History.
"""
import os
import signal
import subprocess
import sys
import time

from nemesis import die_with_parent

HERE = os.path.dirname(os.path.abspath(__file__))


class ProducerProcess:
    """One workload driver process; see the module doc."""

    def __init__(self, kind, binary, bootstrap, topic, acks, tag, root, rate,
                 request_timeout_ms, delivery_timeout_ms, value_bytes=100):
        self.tag = tag
        self.kind = kind
        self.out_path = os.path.join(root, 'producer-%s.txt' % tag)
        self.stdout_path = os.path.join(root, 'producer-%s.stdout' % tag)
        args = [bootstrap, topic, acks, tag, self.out_path, '--rate', str(rate),
                '--value-bytes', str(value_bytes),
                '--request-timeout-ms', str(request_timeout_ms),
                '--delivery-timeout-ms', str(delivery_timeout_ms)]
        if kind == 'gregor':
            cmd = [binary] + args
        else:
            cmd = [sys.executable, os.path.join(HERE, 'confluent_producer.py')] + args
        self.delivery_timeout_s = delivery_timeout_ms / 1000.0
        self._stdout = open(self.stdout_path, 'w')
        self.proc = subprocess.Popen(cmd, stdout=self._stdout, stderr=subprocess.STDOUT,
                                     preexec_fn=die_with_parent)
        self._pos = 0
        self._acked = 0
        self._partial = ''

    def acked(self):
        """"ok" lines written so far (reads only what is new)."""
        try:
            with open(self.out_path) as f:
                f.seek(self._pos)
                chunk = f.read()
                self._pos = f.tell()
        except FileNotFoundError:
            return 0
        text = self._partial + chunk
        lines = text.split('\n')
        self._partial = lines.pop()
        self._acked += sum(1 for l in lines if l.startswith('ok '))
        return self._acked

    def stop(self):
        """SIGTERM and wait for the driver's flush (bounded by its delivery
        timeout); returns its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=self.delivery_timeout_s + 30)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError('producer %s did not finish its flush' % self.tag)
        self._stdout.close()
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if not self._stdout.closed:
            self._stdout.close()

    def summary_line(self):
        """The driver's last stdout line (librdkafka logs come before it)."""
        with open(self.stdout_path, errors='replace') as f:
            lines = f.read().strip().splitlines()
        return lines[-1] if lines else '(no output)'


def create_topic(bootstrap, topic, partitions, timeout=30, configs=None):
    """Creates `topic` (with topic `configs`, e.g. {'flush.messages': '1'})
    with kafka-python's admin client and waits until its metadata shows
    every partition with a leader."""
    from kafka import KafkaConsumer
    from kafka.admin import KafkaAdminClient, NewTopic
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=timeout * 1000,
                             client_id='gregor-fault-admin')
    try:
        admin.create_topics([NewTopic(topic, partitions, 1, topic_configs=configs or {})],
                            timeout_ms=timeout * 1000)
    finally:
        admin.close()
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, client_id='gregor-fault-meta')
    try:
        deadline = time.monotonic() + timeout
        while (c.partitions_for_topic(topic) or set()) != set(range(partitions)):
            if time.monotonic() > deadline:
                raise AssertionError('topic %s: partitions not visible in %d s' % (topic, timeout))
            time.sleep(0.1)
    finally:
        c.close()


def read_pass(bootstrap, topic, partitions, timeout=60):
    """One pass; see the module doc. Raises AssertionError if the end
    offsets are not reached within `timeout` seconds."""
    from kafka import KafkaConsumer, TopicPartition
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                      auto_offset_reset='earliest', request_timeout_ms=30000,
                      max_partition_fetch_bytes=1 << 20, fetch_max_wait_ms=100,
                      client_id='gregor-fault-reader')
    try:
        c.assign(tps)
        ends = c.end_offsets(tps)
        c.seek_to_beginning()
        records = []
        pending = {tp for tp in tps if ends[tp] > 0}
        deadline = time.monotonic() + timeout
        while pending:
            if time.monotonic() > deadline:
                raise AssertionError('read pass: end offsets %s not reached in %d s (at %s)' %
                                     ({tp.partition: ends[tp] for tp in pending}, timeout,
                                      {tp.partition: c.position(tp) for tp in pending}))
            for tp, batch in c.poll(timeout_ms=200).items():
                for r in batch:
                    if r.offset < ends[tp]:
                        records.append((tp.partition, r.offset, r.value))
            for tp in list(pending):
                if c.position(tp) >= ends[tp]:
                    pending.discard(tp)
                    c.pause(tp)
        return records
    finally:
        c.close(autocommit=False)
