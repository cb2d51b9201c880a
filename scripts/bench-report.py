#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Prints the benchmark table of `make bench` from build/bench/*.json:
medians of the repetitions, and the ratios the chapters quote, all from the
same run. Usage: bench-report.py build/bench"""
import glob
import json
import os
import sys


def medians(path):
    with open(path) as f:
        data = json.load(f)
    out = {}
    for b in data['benchmarks']:
        if b.get('aggregate_name', 'median') != 'median':
            continue
        name = b.get('run_name', b['name'])
        # Drop Google Benchmark's suffixes so names read as in the chapters.
        name = '/'.join(part for part in name.split('/')
                        if not part.startswith('iterations:') and part != 'real_time')
        out[name] = b
    return data.get('context', {}), out


def rate(b):
    if 'bytes_per_second' in b:
        return '%8.2f GB/s' % (b['bytes_per_second'] / 1e9) if b['bytes_per_second'] > 1e9 \
            else '%8.1f MB/s' % (b['bytes_per_second'] / 1e6)
    if 'items_per_second' in b:
        return '%8.2f M/s ' % (b['items_per_second'] / 1e6)
    return ''


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else 'build/bench'
    for path in sorted(glob.glob(os.path.join(folder, '*.json'))):
        ctx, m = medians(path)
        print('== %s (%s CPUs @ %s MHz, median of repetitions)' %
              (os.path.basename(path), ctx.get('num_cpus'), ctx.get('mhz_per_cpu')))
        for name, b in m.items():
            print('  %-40s %12.3f %-3s %s %s' % (name, b['real_time'], b['time_unit'], rate(b),
                                                b.get('label', '')))
        def get(n):
            return m.get(n)
        ratios = []
        for size in ('16384', '1048576'):
            a, r = get('LogAppend/%s' % size), get('RawWrite/%s' % size)
            if a and r:
                ratios.append(('LogAppend/RawWrite %s B batches' % size,
                               a['bytes_per_second'] / r['bytes_per_second']))
        hw, tb = get('Crc32c/hardware'), get('Crc32c/bytetable')
        if hw and tb:
            ratios.append(('Crc32c hardware/bytetable', hw['bytes_per_second'] / tb['bytes_per_second']))
        big, small = get('Recovery/1024/64'), get('Recovery/0/64')
        if big and small:
            ratios.append(('Recovery 1 GiB+64 MiB tail / 64 MiB tail', big['real_time'] / small['real_time']))
        for label, v in ratios:
            print('  ratio %-45s %6.2f' % (label, v))


if __name__ == '__main__':
    main()
