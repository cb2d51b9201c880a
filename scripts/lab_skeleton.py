#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Carves a lab's student skeleton out of the reference source.

A solution region is
    // LAB-NN: BEGIN SOLUTION <Name>
    ...reference code...
    // LAB-NN: END SOLUTION
and becomes
    // LAB-NN: TODO <Name> (see labs/lab-NN-*/README.md)
    throw gregor::NotImplemented("LAB-NN: <Name>");
Lines inside the region that start with "// HINT" are kept, so the stub keeps
its implementation hints. Other labs' regions are left untouched.

  lab_skeleton.py --lab 01 --file src/storage/offset_index.cpp --out OUT
  lab_skeleton.py --lab 01 --tree SRC_ROOT --dest DIR   (whole student tree)
"""
import argparse
import os
import re
import shutil
import subprocess
import sys


def carve(text, lab, path):
    begin = re.compile(r'^(\s*)// LAB-%s: BEGIN SOLUTION\s*(\S.*)?$' % lab)
    end = re.compile(r'^\s*// LAB-%s: END SOLUTION\s*$' % lab)
    out, inside, name, indent, regions = [], False, '', '', 0
    for lineno, line in enumerate(text.splitlines(keepends=True), 1):
        m = begin.match(line)
        if m:
            if inside:
                sys.exit('%s:%d: nested LAB-%s region' % (path, lineno, lab))
            inside, indent, name = True, m.group(1), (m.group(2) or '').strip()
            if not name:
                sys.exit('%s:%d: BEGIN SOLUTION needs a name' % (path, lineno))
            out.append('%s// LAB-%s: TODO %s (see labs/README.md)\n' % (indent, lab, name))
            regions += 1
            continue
        if end.match(line):
            if not inside:
                sys.exit('%s:%d: END SOLUTION without BEGIN' % (path, lineno))
            out.append('%sthrow gregor::NotImplemented("LAB-%s: %s");\n' % (indent, lab, name))
            inside = False
            continue
        if inside:
            if line.strip().startswith('// HINT'):
                out.append(line)
            continue
        out.append(line)
    if inside:
        sys.exit('%s: unterminated LAB-%s region' % (path, lab))
    result = ''.join(out)
    if regions and '"common/not_implemented.h"' not in result:
        # The stub needs the exception; add the include after the last one.
        lines = result.splitlines(keepends=True)
        last = max((i for i, l in enumerate(lines) if l.startswith('#include')), default=-1)
        lines.insert(last + 1, '#include "common/not_implemented.h"\n')
        result = ''.join(lines)
    return result, regions


def write(path, text):
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--lab', required=True)
    ap.add_argument('--file')
    ap.add_argument('--out')
    ap.add_argument('--tree')
    ap.add_argument('--dest')
    a = ap.parse_args()
    if a.file:
        with open(a.file) as f:
            text, n = carve(f.read(), a.lab, a.file)
        if n == 0:
            sys.exit('%s has no LAB-%s region' % (a.file, a.lab))
        write(a.out, text)
        return
    # Whole tree: the files git tracks, with this lab's regions carved.
    files = subprocess.run(['git', 'ls-files'], cwd=a.tree, check=True,
                           capture_output=True, text=True).stdout.split()
    total = 0
    for rel in files:
        src = os.path.join(a.tree, rel)
        dst = os.path.join(a.dest, rel)
        if rel.endswith(('.h', '.cpp')):
            with open(src) as f:
                text, n = carve(f.read(), a.lab, src)
            total += n
            write(dst, text)
            shutil.copymode(src, dst)
        else:
            os.makedirs(os.path.dirname(dst) or '.', exist_ok=True)
            shutil.copy2(src, dst)
    if total == 0:
        sys.exit('no LAB-%s regions found' % a.lab)
    print('LAB-%s skeleton: %d regions stubbed, tree written to %s' % (a.lab, total, a.dest))


if __name__ == '__main__':
    main()
