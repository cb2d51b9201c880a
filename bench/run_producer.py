#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Chapter 03 end to end: Gregor's producer against librdkafka, same broker.

Starts one gregor-server (temporary log dir, a free port), creates a
1-partition topic with gregor-topics, then runs gregor-producer-perf-test
and bench/baselines/rdkafka_producer alternately (ABBA order: Gregor first
in even rounds, librdkafka first in odd ones), each sending N x S-byte
records with identical acks, linger.ms, batch.size, max.in.flight,
compression and buffer size. For every run it records the final line's
records/s and MB/s (Kafka's MB: 2^20 bytes) and latencies, and the CPU
seconds (user + sys) of the client process (its rusage) and of the broker
process (/proc/<pid>/stat before and after). The report, with per-run rows,
medians and the Gregor/librdkafka ratio of median records/s, goes to
build/bench/producer-report.md and stdout.

usage: run_producer.py [--runs 5] [--num-records 1000000] [--record-size 100]
                       [--linger-ms 5] [--batch-size 65536] [--only-baseline] ...
Binaries default to <build>/tools/... and <build>/bench/rdkafka_producer; a
missing one stops the script with the target to build.
"""
import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, 'tests', 'compat'))
from gregor_broker import GregorBroker  # noqa: E402

FINAL = re.compile(r'^(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), '
                   r'([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, '
                   r'(\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99.9th\.$')
TICKS = os.sysconf('SC_CLK_TCK')


def parse_args():
    build = os.path.join(SOURCE, 'build')
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--build-dir', default=build)
    p.add_argument('--server', help='gregor-server binary')
    p.add_argument('--topics-tool', help='gregor-topics binary')
    p.add_argument('--perf-test', help='gregor-producer-perf-test binary')
    p.add_argument('--baseline', help='rdkafka_producer binary')
    p.add_argument('--runs', type=int, default=5, help='rounds; each runs both clients once')
    p.add_argument('--num-records', type=int, default=1_000_000)
    p.add_argument('--record-size', type=int, default=100)
    p.add_argument('--acks', default='1')
    p.add_argument('--linger-ms', type=int, default=5)
    p.add_argument('--batch-size', type=int, default=65536)
    p.add_argument('--max-in-flight', type=int, default=5)
    p.add_argument('--compression', default='none')
    p.add_argument('--buffer-memory', type=int, default=32 * 1024 * 1024,
                   help='buffer.memory; librdkafka gets queue.buffering.max.kbytes = this/1024')
    p.add_argument('--only-baseline', action='store_true',
                   help='run librdkafka alone (before the Gregor producer exists)')
    p.add_argument('--timeout', type=float, default=600, help='seconds per client run')
    p.add_argument('--report', help='default <build>/bench/producer-report.md')
    a = p.parse_args()
    a.server = a.server or os.path.join(a.build_dir, 'tools', 'gregor-server')
    a.topics_tool = a.topics_tool or os.path.join(a.build_dir, 'tools', 'gregor-topics')
    a.perf_test = a.perf_test or os.path.join(a.build_dir, 'tools', 'gregor-producer-perf-test')
    a.baseline = a.baseline or os.path.join(a.build_dir, 'bench', 'rdkafka_producer')
    a.report = a.report or os.path.join(a.build_dir, 'bench', 'producer-report.md')
    return a


def require(path, target):
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        sys.exit('run_producer: missing binary %s (build it: cmake --build build --target %s)'
                 % (path, target))


def cpu_seconds(pid):
    """user + sys CPU seconds of a live process, from /proc/<pid>/stat."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14, 15)


def peak_rss_mib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    return float('nan')


def run_client(name, cmd, broker_pid, timeout):
    """Runs one client; returns its figures or exits with its output."""
    broker_before = cpu_seconds(broker_pid)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = t0 + timeout
    client_rss = 0.0
    while True:
        # Polling wait4 (not proc.wait) because wait4 also returns the
        # child's rusage; its output is a few lines, far below a pipe's size.
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        # ru_maxrss would include the forking Python's own pages (Linux
        # keeps the pre-exec high-water mark), so sample the client's VmHWM.
        try:
            client_rss = max(client_rss, peak_rss_mib(proc.pid))
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            sys.exit('run_producer: %s did not finish in %.0f s: %s' % (name, timeout, cmd))
        time.sleep(0.05)
    wall = time.monotonic() - t0
    if not client_rss:
        client_rss = float('nan')
    broker_cpu = cpu_seconds(broker_pid) - broker_before
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    proc.stdout.close()
    proc.stderr.close()
    lines = out.strip().splitlines()
    m = FINAL.match(lines[-1]) if lines else None
    if proc.returncode != 0 or not m:
        sys.exit('run_producer: %s failed (exit %d)\n%s\n%s\ncommand: %s'
                 % (name, proc.returncode, out[-3000:], err[-3000:], ' '.join(cmd)))
    return {
        'tool': name, 'records': int(m.group(1)), 'rps': float(m.group(2)),
        'mbps': float(m.group(3)), 'avg_ms': float(m.group(4)), 'max_ms': float(m.group(5)),
        'p50': int(m.group(6)), 'p95': int(m.group(7)), 'p99': int(m.group(8)),
        'p999': int(m.group(9)), 'wall': wall,
        'client_cpu': usage.ru_utime + usage.ru_stime, 'broker_cpu': broker_cpu,
        'client_rss': client_rss,
        'line': lines[-1],
    }


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


def report(a, settings, runs, broker_rss):
    tools = [t for t in ('gregor', 'librdkafka') if any(r['tool'] == t for r in runs)]
    med = {t: {k: statistics.median(r[k] for r in runs if r['tool'] == t)
               for k in ('rps', 'mbps', 'avg_ms', 'p50', 'p99', 'client_cpu', 'broker_cpu',
                         'wall')}
           for t in tools}
    out = ['# Chapter 03: producer end to end (Gregor vs librdkafka)', '',
           '- machine: %s' % machine(),
           '- one gregor-server, one 1-partition topic; each run sends %d records of %d bytes '
           '(null key, the same A-Z value), unthrottled' % (a.num_records, a.record_size),
           '- settings for both clients: %s' % settings,
           '- %d rounds, alternating (ABBA); medians over the rounds; MB/s is 2^20 bytes/s; '
           'CPU is user+sys seconds during the run' % a.runs, '',
           '| run | client | records/s | MB/s | avg ms | p50 | p99 | max ms | wall s '
           '| client CPU s | broker CPU s | client peak RSS MiB (sampled) |',
           '|---|---|---|---|---|---|---|---|---|---|---|---|']
    for i, r in enumerate(runs):
        out.append('| %d | %s | %.0f | %.2f | %.2f | %d | %d | %.0f | %.2f | %.2f | %.2f | %.1f |'
                   % (i // len(tools) + 1, r['tool'], r['rps'], r['mbps'], r['avg_ms'], r['p50'],
                      r['p99'], r['max_ms'], r['wall'], r['client_cpu'], r['broker_cpu'],
                      r['client_rss']))
    out += ['', '| median | records/s | MB/s | avg ms | p50 | p99 | client CPU s | broker CPU s '
            '| client share of CPU |', '|---|---|---|---|---|---|---|---|---|']
    for t in tools:
        m = med[t]
        total = m['client_cpu'] + m['broker_cpu']
        out.append('| %s | %.0f | %.2f | %.2f | %.0f | %.0f | %.2f | %.2f | %.0f%% |' % (
            t, m['rps'], m['mbps'], m['avg_ms'], m['p50'], m['p99'], m['client_cpu'],
            m['broker_cpu'], 100 * m['client_cpu'] / total if total else 0))
    out.append('')
    if len(tools) == 2:
        out.append('Gregor / librdkafka (median records/s): **%.2f** (goal >= 1.0); Gregor '
                   'absolute: %.0f records/s (stretch goal >= 1,500,000).' % (
                       med['gregor']['rps'] / med['librdkafka']['rps'], med['gregor']['rps']))
    else:
        out.append('librdkafka only (--only-baseline): no ratio.')
    out += ['', 'gregor-server peak RSS over all runs: %.1f MiB.' % broker_rss, '']
    text = '\n'.join(out)
    os.makedirs(os.path.dirname(os.path.abspath(a.report)), exist_ok=True)
    with open(a.report, 'w') as f:
        f.write(text)
    print(text)


def main():
    a = parse_args()
    require(a.server, 'gregor-server')
    require(a.topics_tool, 'gregor-topics')
    require(a.baseline, 'rdkafka_producer')
    if not a.only_baseline:
        require(a.perf_test, 'gregor-producer-perf-test')
    if a.runs < 1 or a.num_records < 1 or a.record_size < 1:
        sys.exit('run_producer: --runs, --num-records and --record-size must be positive')

    props = {'acks': a.acks, 'linger.ms': a.linger_ms, 'batch.size': a.batch_size,
             'max.in.flight.requests.per.connection': a.max_in_flight,
             'compression.type': a.compression}
    settings = ', '.join('%s=%s' % kv for kv in props.items())
    settings += ', buffer.memory=%d (librdkafka: queue.buffering.max.kbytes=%d)' % (
        a.buffer_memory, a.buffer_memory // 1024)
    topic = 'perf'
    runs = []
    with GregorBroker(a.server, SOURCE, {'num.partitions': 1}) as broker:
        b = broker.bootstrap
        subprocess.run([a.topics_tool, '--bootstrap-server', b, '--create', '--topic', topic,
                        '--partitions', '1', '--replication-factor', '1'],
                       check=True, timeout=60, stdout=subprocess.DEVNULL)
        gregor_cmd = [a.perf_test, '--topic', topic, '--num-records', str(a.num_records),
                      '--record-size', str(a.record_size), '--throughput', '-1',
                      '--producer-props', 'bootstrap.servers=' + b,
                      'buffer.memory=%d' % a.buffer_memory]
        gregor_cmd += ['%s=%s' % kv for kv in props.items()]
        rdk_cmd = [a.baseline, '-b', b, '-t', topic, '-n', str(a.num_records),
                   '-s', str(a.record_size),
                   '-X', 'queue.buffering.max.kbytes=%d' % (a.buffer_memory // 1024)]
        for kv in props.items():
            rdk_cmd += ['-X', '%s=%s' % kv]
        for i in range(a.runs):
            order = [('librdkafka', rdk_cmd)]
            if not a.only_baseline:
                order.append(('gregor', gregor_cmd))
                if i % 2 == 0:
                    order.reverse()
            for name, cmd in order:
                r = run_client(name, cmd, broker.proc.pid, a.timeout)
                if r['records'] != a.num_records:
                    sys.exit('run_producer: %s acknowledged %d of %d records'
                             % (name, r['records'], a.num_records))
                print('round %d %-10s %s' % (i + 1, name, r['line']), flush=True)
                runs.append(r)
        rss = peak_rss_mib(broker.proc.pid)
    report(a, settings, runs, rss)


if __name__ == '__main__':
    main()
