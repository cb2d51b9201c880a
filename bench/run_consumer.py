#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Chapter 06 end to end: Gregor's consumer against librdkafka, same broker.

Starts one gregor-server (temporary log dir, a free port), creates a
1-partition topic with gregor-topics and fills it with N x S-byte records
(gregor-producer-perf-test, or bench/baselines/rdkafka_producer when the
perf test is missing; acks=1, linger.ms=5, batch.size=65536), reads every
log file once to warm the page cache, then runs rounds. Each round runs,
in rotating order: bench/baselines/rdkafka_consume (partition 0 from
offset 0, no group, Kafka's default fetch settings, which the binary
prints; up to 500 records per rd_kafka_consume_batch() call, as
max.poll.records); Gregor's consumer when its binary exists (skipped with
a message otherwise; one untimed run first creates __consumer_offsets);
kcat as a second reference (`kcat -C -e -o beginning -q`, output to
/dev/null, timed from start to exit, so it includes connecting). Every run
must read all N records. For each run: records/s, MB/s (2^20), elapsed,
client and broker CPU seconds. Medians and the Gregor/librdkafka ratio of
median records/s go to build/bench/consumer-report.md and stdout.

Gregor's consumer is expected to take Kafka's kafka-consumer-perf-test
options and print its CSV (header with data.consumed.in.nMsg, nMsg.sec,
MB.sec) or rdkafka_consume's key=value line; --gregor-args replaces the
default arguments ({bootstrap}, {topic}, {records} are substituted).

usage: run_consumer.py [--runs 5] [--num-records 10000000] [--record-size 100] ...
"""
import argparse
import glob
import os
import platform
import re
import shlex
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, 'tests', 'compat'))
from gregor_broker import GregorBroker  # noqa: E402

KV = re.compile(r'(\w+)=([-\d.]+)')
TICKS = os.sysconf('SC_CLK_TCK')
GREGOR_ARGS = ('--bootstrap-server {bootstrap} --topic {topic} --messages {records} '
               '--timeout 30000')


def parse_args():
    build = os.path.join(SOURCE, 'build')
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--build-dir', default=build)
    p.add_argument('--server', help='gregor-server binary')
    p.add_argument('--topics-tool', help='gregor-topics binary')
    p.add_argument('--producer', help='gregor-producer-perf-test binary (fills the topic)')
    p.add_argument('--baseline', help='rdkafka_consume binary')
    p.add_argument('--producer-baseline', help='rdkafka_producer binary (fills the topic when '
                   'the perf test is missing)')
    p.add_argument('--gregor', help='Gregor consumer binary (default '
                   '<build>/tools/gregor-consumer-perf-test)')
    p.add_argument('--gregor-args', default=GREGOR_ARGS)
    p.add_argument('--runs', type=int, default=5, help='rounds; each runs every client once')
    p.add_argument('--num-records', type=int, default=10_000_000)
    p.add_argument('--record-size', type=int, default=100)
    p.add_argument('--batch', type=int, default=500,
                   help='rdkafka_consume -B: messages per rd_kafka_consume_batch() call '
                   '(0: one rd_kafka_consume() call per record, far slower on librdkafka 2.0.2)')
    p.add_argument('--no-kcat', action='store_true')
    p.add_argument('--timeout', type=float, default=600, help='seconds per client run')
    p.add_argument('--report', help='default <build>/bench/consumer-report.md')
    a = p.parse_args()
    a.server = a.server or os.path.join(a.build_dir, 'tools', 'gregor-server')
    a.topics_tool = a.topics_tool or os.path.join(a.build_dir, 'tools', 'gregor-topics')
    a.producer = a.producer or os.path.join(a.build_dir, 'tools', 'gregor-producer-perf-test')
    a.baseline = a.baseline or os.path.join(a.build_dir, 'bench', 'rdkafka_consume')
    a.producer_baseline = a.producer_baseline or os.path.join(a.build_dir, 'bench',
                                                              'rdkafka_producer')
    a.gregor = a.gregor or os.path.join(a.build_dir, 'tools', 'gregor-consumer-perf-test')
    a.report = a.report or os.path.join(a.build_dir, 'bench', 'consumer-report.md')
    return a


def executable(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def require(path, target):
    if not executable(path):
        sys.exit('run_consumer: missing binary %s (build it: cmake --build build --target %s)'
                 % (path, target))


def cpu_seconds(pid):
    """user + sys CPU seconds of a live process, from /proc/<pid>/stat."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def parse_output(out):
    """(records, records/s, MB/s, elapsed ms) from rdkafka_consume's key=value line or
    Kafka's ConsumerPerformance CSV (a header line, then the values)."""
    lines = [l.strip() for l in out.strip().splitlines() if l.strip()]
    for line in reversed(lines):
        kv = dict(KV.findall(line))
        if {'records', 'records_per_sec', 'mb_per_sec'} <= set(kv):
            return (int(kv['records']), float(kv['records_per_sec']), float(kv['mb_per_sec']),
                    float(kv.get('elapsed_ms', 'nan')))
    for i, line in enumerate(lines[:-1]):
        if 'data.consumed.in.nMsg' in line:
            names = [x.strip() for x in line.split(',')]
            values = dict(zip(names, [x.strip() for x in lines[i + 1].split(',')]))
            # Kafka's start.time/end.time are wall-clock strings: the elapsed time is
            # the rebalance (group join) plus the fetching.
            elapsed = sum(float(values.get(k, 'nan'))
                          for k in ('rebalance.time.ms', 'fetch.time.ms'))
            return (int(float(values['data.consumed.in.nMsg'])), float(values['nMsg.sec']),
                    float(values['MB.sec']), elapsed)
    return None


def run_client(name, cmd, broker_pid, timeout, stdout=subprocess.PIPE):
    """Runs one client; returns its wall time, CPU and output, or exits with its output."""
    broker_before = cpu_seconds(broker_pid)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        sys.exit('run_consumer: %s did not finish in %.0f s: %s' % (name, timeout, cmd))
    wall = time.monotonic() - t0
    if proc.returncode != 0:
        sys.exit('run_consumer: %s failed (exit %d)\n%s\n%s\ncommand: %s' % (
            name, proc.returncode, (out or b'')[-3000:].decode(errors='replace'),
            err[-3000:].decode(errors='replace'), ' '.join(cmd)))
    return {'tool': name, 'wall': wall, 'broker_cpu': cpu_seconds(broker_pid) - broker_before,
            'out': (out or b'').decode(errors='replace'), 'err': err.decode(errors='replace')}


def children_cpu():
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def machine():
    model = ''
    try:
        with open('/proc/cpuinfo') as f:
            model = next((l.split(':', 1)[1].strip() for l in f if l.startswith('model name')), '')
    except OSError:
        pass
    rdk = subprocess.run(['dpkg-query', '-W', '-f', '${Version}', 'librdkafka1'],
                         capture_output=True, text=True).stdout or 'unknown'
    return '%d CPUs (%s), Linux %s, librdkafka %s' % (os.cpu_count(), model, platform.release(),
                                                      rdk)


def fill(a, b, topic):
    if executable(a.producer):
        cmd = [a.producer, '--topic', topic, '--num-records', str(a.num_records),
               '--record-size', str(a.record_size), '--throughput', '-1',
               '--producer-props', 'bootstrap.servers=' + b, 'acks=1', 'linger.ms=5',
               'batch.size=65536']
    else:
        require(a.producer_baseline, 'rdkafka_producer')
        cmd = [a.producer_baseline, '-b', b, '-t', topic, '-n', str(a.num_records),
               '-s', str(a.record_size), '-p', '0', '-X', 'acks=1', '-X', 'linger.ms=5',
               '-X', 'batch.size=65536']
    t0 = time.monotonic()
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout)
    if run.returncode != 0:
        sys.exit('run_consumer: filling the topic failed:\n%s\n%s' % (run.stdout[-2000:],
                                                                     run.stderr[-2000:]))
    last = run.stdout.strip().splitlines()[-1]
    print('filled %s with %d x %d B in %.1f s (%s): %s' % (
        topic, a.num_records, a.record_size, time.monotonic() - t0,
        os.path.basename(cmd[0]), last), flush=True)


def warm(data_dir):
    t0 = time.monotonic()
    total = 0
    for path in glob.glob(os.path.join(data_dir, '**', '*'), recursive=True):
        if os.path.isfile(path):
            with open(path, 'rb') as f:
                while True:
                    chunk = f.read(1 << 20)
                    if not chunk:
                        break
                    total += len(chunk)
    print('page cache warmed: %.0f MiB read in %.1f s' % (total / 2**20, time.monotonic() - t0),
          flush=True)


def report(a, runs, settings, skipped):
    tools = [t for t in ('gregor', 'librdkafka', 'kcat') if any(r['tool'] == t for r in runs)]
    med = {t: {k: statistics.median(r[k] for r in runs if r['tool'] == t)
               for k in ('rps', 'mbps', 'elapsed_ms', 'wall', 'client_cpu', 'broker_cpu')}
           for t in tools}
    out = ['# Chapter 06: consumer end to end (Gregor vs librdkafka)', '',
           '- machine: %s' % machine(),
           '- one gregor-server, one 1-partition topic of %d records of %d bytes (null key); '
           'every run reads all of them from offset 0' % (a.num_records, a.record_size),
           '- Gregor: `%s %s`; it joins a fresh group each run, as Kafka\'s '
           'kafka-consumer-perf-test does, and its elapsed time includes the join '
           '(__consumer_offsets is created before the first round)' % (
               os.path.basename(a.gregor), a.gregor_args),
           '- librdkafka (no group): %s' % settings,
           '- kcat: `kcat -C -e -o beginning -q` to /dev/null, timed from start to exit',
           '- %d rounds, order rotating; medians over the rounds; MB/s is 2^20 bytes/s; CPU is '
           'user+sys seconds during the run' % a.runs, '']
    if skipped:
        out += ['- ' + skipped, '']
    out += ['| round | client | records/s | MB/s | elapsed ms | wall s | client CPU s '
            '| broker CPU s | load avg (1 min) |', '|---|---|---|---|---|---|---|---|---|']
    for r in runs:
        out.append('| %d | %s | %.0f | %.2f | %.0f | %.2f | %.2f | %.2f | %.2f |' % (
            r['round'], r['tool'], r['rps'], r['mbps'], r['elapsed_ms'], r['wall'],
            r['client_cpu'], r['broker_cpu'], r['load']))
    out += ['', '| median | records/s | MB/s | elapsed ms | client CPU s | broker CPU s |',
            '|---|---|---|---|---|---|']
    for t in tools:
        m = med[t]
        out.append('| %s | %.0f | %.2f | %.0f | %.2f | %.2f |' % (
            t, m['rps'], m['mbps'], m['elapsed_ms'], m['client_cpu'], m['broker_cpu']))
    out.append('')
    if 'gregor' in med:
        out.append('Gregor / librdkafka (median records/s): **%.2f**.' % (
            med['gregor']['rps'] / med['librdkafka']['rps']))
    else:
        out.append('No Gregor consumer measured: no ratio.')
    out.append('')
    text = '\n'.join(out)
    os.makedirs(os.path.dirname(os.path.abspath(a.report)), exist_ok=True)
    with open(a.report, 'w') as f:
        f.write(text)
    print(text)


def main():
    # SIGTERM unwinds like an error, so the broker is stopped and its directory removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit('run_consumer: terminated'))
    a = parse_args()
    require(a.server, 'gregor-server')
    require(a.topics_tool, 'gregor-topics')
    require(a.baseline, 'rdkafka_consume')
    if a.runs < 1 or a.num_records < 1 or a.record_size < 1:
        sys.exit('run_consumer: --runs, --num-records and --record-size must be positive')
    skipped = ''
    if not executable(a.gregor):
        skipped = ('Gregor consumer skipped: %s does not exist yet (build '
                   'gregor-consumer-perf-test, or pass --gregor)' % a.gregor)
        print('run_consumer: ' + skipped, flush=True)
    topic = 'perf'
    runs = []
    settings = ''
    with GregorBroker(a.server, SOURCE, {'num.partitions': 1}) as broker:
        b = broker.bootstrap
        subprocess.run([a.topics_tool, '--bootstrap-server', b, '--create', '--topic', topic,
                        '--partitions', '1', '--replication-factor', '1'],
                       check=True, timeout=60, stdout=subprocess.DEVNULL)
        fill(a, b, topic)
        warm(os.path.join(broker.dir, 'data'))
        if not skipped:
            # The first group of the broker's life creates __consumer_offsets: not timed.
            subprocess.run([a.gregor, '--bootstrap-server', b, '--topic', topic, '--messages',
                            '1', '--timeout', '30000'], check=True, timeout=120,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        clients = [('librdkafka', [a.baseline, '-b', b, '-t', topic, '-n', str(a.num_records),
                                   '-B', str(a.batch)])]
        if not skipped:
            fmt = {'bootstrap': b, 'topic': topic, 'records': a.num_records}
            clients.append(('gregor', [a.gregor] + [x.format(**fmt)
                                                    for x in shlex.split(a.gregor_args)]))
        if not a.no_kcat:
            clients.append(('kcat', ['kcat', '-C', '-b', b, '-t', topic, '-p', '0', '-e',
                                     '-o', 'beginning', '-q']))
        for i in range(a.runs):
            shift = i % len(clients)
            for name, cmd in clients[shift:] + clients[:shift]:
                cpu0 = children_cpu()
                load = os.getloadavg()[0]  # other work on the machine skews the rounds
                if name == 'kcat':
                    with open(os.devnull, 'wb') as null:
                        r = run_client(name, cmd, broker.proc.pid, a.timeout, stdout=null)
                    # Its output goes to /dev/null: the records are the topic's (-e
                    # stops at its end), the time is the process's.
                    r.update(records=a.num_records, rps=a.num_records / r['wall'],
                             mbps=a.num_records * a.record_size / r['wall'] / 2**20,
                             elapsed_ms=r['wall'] * 1000)
                else:
                    r = run_client(name, cmd, broker.proc.pid, a.timeout)
                    parsed = parse_output(r['out'])
                    if not parsed:
                        sys.exit('run_consumer: no result line from %s:\n%s\n%s' % (
                            name, r['out'][-2000:], r['err'][-2000:]))
                    r['records'], r['rps'], r['mbps'], r['elapsed_ms'] = parsed
                    if name == 'librdkafka' and not settings:
                        settings = next((l.split(': ', 1)[1] for l in r['err'].splitlines()
                                         if l.startswith('rdkafka_consume settings')), '')
                if r['records'] != a.num_records:
                    sys.exit('run_consumer: %s read %d of %d records' % (name, r['records'],
                                                                        a.num_records))
                r['client_cpu'] = children_cpu() - cpu0
                r['round'] = i + 1
                r['load'] = load
                print('round %d %-10s %.0f records/s, %.2f MB/s, %.0f ms' % (
                    i + 1, name, r['rps'], r['mbps'], r['elapsed_ms']), flush=True)
                runs.append(r)
    report(a, runs, settings, skipped)


if __name__ == '__main__':
    main()
