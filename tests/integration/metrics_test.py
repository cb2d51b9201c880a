#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""GET /metrics and the test-only fault hook against a real gregor-server.

1. With gregor.metrics.listener=127.0.0.1:0: produce N records with
   kafka-python, then /metrics shows MessagesIn == N, Requests{Produce} > 0,
   a TotalTimeMs histogram for Produce; other paths are 404.
2. With gregor.test.fault.* failing the next 2 produces of t-0 with
   NOT_LEADER_OR_FOLLOWER: a producer with retries still delivers, and
   /metrics counts the 2 injected faults.
3. The same fault with retries=0: the send fails with that error.

usage: metrics_test.py <gregor-server> <source dir>
"""
import os
import re
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'compat'))
from gregor_broker import GregorBroker  # noqa: E402
from kafka import KafkaProducer  # noqa: E402
from kafka.errors import NotLeaderForPartitionError  # noqa: E402

SERVER, SOURCE = sys.argv[1:3]
failures = []


def check(name, ok, detail=''):
    print('%s %s%s' % ('PASS' if ok else 'FAIL', name, '' if ok else ': ' + detail))
    if not ok:
        failures.append(name)


def scrape(broker, path='/metrics'):
    url = 'http://127.0.0.1:%d%s' % (broker.metrics_port, path)
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.headers.get('Content-Type'), r.read().decode()


def value(text, series):
    m = re.search('^' + re.escape(series) + r' (\S+)$', text, re.M)
    return float(m.group(1)) if m else None


def producer(broker, **kw):
    return KafkaProducer(bootstrap_servers=broker.bootstrap, request_timeout_ms=10000,
                         max_block_ms=20000, client_id='gregor-metrics-test', **kw)


METRICS = {'gregor.metrics.listener': '127.0.0.1:0'}
FAULT = dict(METRICS, **{'gregor.test.fault.partition': 't-0',
                         'gregor.test.fault.api': 'produce',
                         'gregor.test.fault.error': 'NOT_LEADER_OR_FOLLOWER'})

print('--- metrics')
with GregorBroker(SERVER, SOURCE, overrides=METRICS) as broker:
    check('metrics port printed', broker.metrics_port is not None)
    p = producer(broker, linger_ms=0)
    for i in range(7):
        p.send('orders', b'v%d' % i, partition=0).get(timeout=30)
    p.close()
    status, ctype, text = scrape(broker)
    check('200 text/plain; version=0.0.4', status == 200 and
          ctype == 'text/plain; version=0.0.4', '%s %s' % (status, ctype))
    check('MessagesIn == 7',
          value(text, 'kafka_server_brokertopicmetrics_messagesin_total') == 7, text)
    check('BytesIn > 0', (value(text, 'kafka_server_brokertopicmetrics_bytesin_total') or 0) > 0)
    check('Requests{Produce} > 0', (value(
        text, 'kafka_network_requestmetrics_requests_total{request="Produce"}') or 0) > 0, text)
    check('TotalTimeMs{Produce} count > 0', (value(
        text, 'kafka_network_requestmetrics_totaltimems_count{request="Produce"}') or 0) > 0)
    try:
        scrape(broker, '/nope')
        check('other paths 404', False, 'no error')
    except urllib.error.HTTPError as e:
        check('other paths 404', e.code == 404, str(e.code))

print('--- fault hook, retries deliver')
with GregorBroker(SERVER, SOURCE, overrides=dict(FAULT, **{'gregor.test.fault.count': 2})) \
        as broker:
    p = producer(broker, retries=5, retry_backoff_ms=50)
    meta = p.send('t', b'survives', partition=0).get(timeout=60)
    p.close()
    check('delivered after the injected failures', meta.offset == 0, str(meta))
    _, _, text = scrape(broker)
    check('2 faults injected', value(text, 'gregor_test_faults_injected_total') == 2, text)
    check('MessagesIn == 1',
          value(text, 'kafka_server_brokertopicmetrics_messagesin_total') == 1, text)
    check('server log shows the faults',
          broker.server_log().count('injected fault: produce t-0') == 2)

print('--- fault hook, retries=0 fails')
with GregorBroker(SERVER, SOURCE, overrides=dict(FAULT, **{'gregor.test.fault.count': 1})) \
        as broker:
    p = producer(broker, retries=0)
    try:
        p.send('t', b'lost', partition=0).get(timeout=60)
        check('send fails with NOT_LEADER_OR_FOLLOWER', False, 'delivered')
    except NotLeaderForPartitionError:
        check('send fails with NOT_LEADER_OR_FOLLOWER', True)
    except Exception as e:  # noqa: BLE001 (report whatever else came)
        check('send fails with NOT_LEADER_OR_FOLLOWER', False, repr(e))
    p.close()

print('FAIL: ' + ', '.join(failures) if failures else 'PASS all')
sys.exit(1 if failures else 0)
