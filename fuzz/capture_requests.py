# SPDX-License-Identifier: Apache-2.0
"""Captures real client requests as seeds for request_fuzzer.

    /usr/bin/python3 fuzz/capture_requests.py build/tools/gregor-server OUT_DIR \\
        [--kafkajs build/tests/compat/kafkajs]

Starts a gregor-server (port 0, a temporary log directory) behind a small
TCP proxy on loopback, points kcat, kafka-python and (if its node_modules
exist, after `ctest -R kafkajs_npm_ci`) kafkajs at the proxy, and writes
every request frame a client sends, without its 4-byte size prefix, to
OUT_DIR/<client>-<api_key>-v<version>-<n>.bin: exactly what
KafkaApis::Handle receives. The broker advertises the proxy's port, so
the clients' second connections (after Metadata) go through it too.

Each client runs the same script: metadata, create topics, produce with
every codec it supports, fetch back, list offsets, delete a topic. The
raw capture holds duplicates; minimise it into the kept corpus with
libFuzzer's merge (fuzz/README.md):

    build-clang/fuzz/request_fuzzer -merge=1 fuzz/corpus/request OUT_DIR
"""
import argparse
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'compat'))
from gregor_broker import GregorBroker  # noqa: E402


class Proxy:
    """Forwards loopback connections to the broker, recording requests."""

    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.target = None
        self.client = 'unknown'
        self.count = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                down, _ = self.listener.accept()
            except OSError:
                return
            up = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(down, up), daemon=True).start()

    def _record(self, frame):
        if len(frame) < 4:
            return
        key, version = struct.unpack('>hh', frame[:4])
        with self.lock:
            self.count += 1
            name = '%s-%02d-v%d-%04d.bin' % (self.client, key, version, self.count)
        with open(os.path.join(self.out_dir, name), 'wb') as f:
            f.write(frame)

    def _pump(self, down, up):
        """Client -> broker is parsed into frames; broker -> client copied."""
        buf = b''
        socks = [down, up]
        try:
            while True:
                ready, _, _ = select.select(socks, [], [], 30)
                if not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    if s is down:
                        up.sendall(data)
                        buf += data
                        while len(buf) >= 4:
                            size = struct.unpack('>i', buf[:4])[0]
                            if len(buf) < 4 + size:
                                break
                            self._record(buf[4:4 + size])
                            buf = buf[4 + size:]
                    else:
                        down.sendall(data)
        except OSError:
            pass
        finally:
            down.close()
            up.close()


def run_kcat(bootstrap, topic):
    codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
    subprocess.run(['kcat', '-b', bootstrap, '-L'], check=True, capture_output=True, timeout=60)
    for codec in codecs:
        lines = ''.join('%s:%s-%d\n' % (codec, codec, i) for i in range(5))
        subprocess.run(['kcat', '-b', bootstrap, '-P', '-t', topic, '-K', ':', '-z', codec,
                        '-H', 'h=1'], input=lines.encode(), check=True, timeout=60)
    subprocess.run(['kcat', '-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e',
                    '-q'], check=True, capture_output=True, timeout=60)
    subprocess.run(['kcat', '-b', bootstrap, '-Q', '-t', '%s:0:1700000000000' % topic],
                   capture_output=True, timeout=60)


def run_kafka_python(bootstrap, topic):
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import NewTopic
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id='capture-kp')
    admin.create_topics([NewTopic(topic, 2, 1), NewTopic(topic + '-scratch', 1, 1)])
    admin.list_topics()
    admin.delete_topics([topic + '-scratch'])
    admin.close()
    for codec in [None, 'gzip', 'snappy', 'lz4', 'zstd']:
        p = KafkaProducer(bootstrap_servers=bootstrap, compression_type=codec, acks='all',
                          client_id='capture-kp')
        for i in range(5):
            p.send(topic, key=b'k%d' % i, value=b'v%d' % i, headers=[('h', b'1')])
        p.flush()
        p.close()
    c = KafkaConsumer(bootstrap_servers=bootstrap, client_id='capture-kp', group_id=None,
                      auto_offset_reset='earliest', consumer_timeout_ms=3000)
    tps = [TopicPartition(topic, 0), TopicPartition(topic, 1)]
    c.assign(tps)
    c.end_offsets(tps)
    c.beginning_offsets(tps)
    c.offsets_for_times({tp: 1700000000000 for tp in tps})
    for _ in c:
        pass
    c.close()


def run_kafkajs(bootstrap, topic, modules):
    script = r'''
const { Kafka, logLevel, CompressionTypes } = require('kafkajs')
async function main () {
  const [bootstrap, topic] = process.argv.slice(2)
  const kafka = new Kafka({ clientId: 'capture-js', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }, { topic: topic + '-scratch' }] })
  await admin.fetchTopicMetadata({ topics: [topic] })
  await admin.fetchTopicOffsets(topic)
  await admin.fetchTopicOffsetsByTimestamp(topic, 1700000000000)
  await admin.deleteTopics({ topics: [topic + '-scratch'] })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  for (const c of [CompressionTypes.None, CompressionTypes.GZIP]) {
    await producer.send({ topic, compression: c, messages: [
      { key: 'k', value: 'v', headers: { h: '1' } }, { value: 'v2', partition: 1 }] })
  }
  await producer.disconnect()
}
main().then(() => process.exit(0), e => { console.error(e); process.exit(1) })
'''
    path = os.path.join(os.path.abspath(modules), 'capture_requests.js')
    with open(path, 'w') as f:
        f.write(script)
    try:
        subprocess.run(['node', path, bootstrap, topic], check=True, timeout=120, cwd=modules)
    finally:
        os.unlink(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('server')
    ap.add_argument('out_dir')
    ap.add_argument('--kafkajs', help='directory holding kafkajs node_modules')
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    source_dir = os.path.join(HERE, '..')
    proxy = Proxy(args.out_dir)
    overrides = {'advertised.listeners': 'PLAINTEXT://127.0.0.1:%d' % proxy.port}
    with GregorBroker(args.server, source_dir, overrides) as broker:
        proxy.target = ('127.0.0.1', broker.port)
        bootstrap = '127.0.0.1:%d' % proxy.port
        clients = [('kcat', lambda: run_kcat(bootstrap, 'capture-kcat')),
                   ('kafka-python', lambda: run_kafka_python(bootstrap, 'capture-kp'))]
        if args.kafkajs and os.path.isdir(os.path.join(args.kafkajs, 'node_modules')):
            clients.append(('kafkajs', lambda: run_kafkajs(bootstrap, 'capture-js',
                                                           args.kafkajs)))
        else:
            print('capture: no kafkajs node_modules; skipping kafkajs', file=sys.stderr)
        for name, run in clients:
            proxy.client = name
            run()
            time.sleep(0.5)  # let the last frames through the proxy
    print('capture: %d request frames in %s' % (proxy.count, args.out_dir))


if __name__ == '__main__':
    main()
