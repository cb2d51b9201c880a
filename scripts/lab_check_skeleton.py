#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Runs a lab's skeleton test binary and succeeds only if it passes none of
the lab's cases (and has at least one): a stub that still lets a case pass
means the case does not test the student's code."""
import re
import subprocess
import sys

run = subprocess.run([sys.argv[1]], capture_output=True, text=True, timeout=240)
out = run.stdout + run.stderr
m = re.search(r'^(\d+) passed, (\d+) failed', out, re.M)
if not m:
    print(out)
    sys.exit('skeleton run printed no summary line')
passed, failed = int(m.group(1)), int(m.group(2))
print('skeleton: %d passed, %d failed' % (passed, failed))
for line in out.splitlines():
    if line.startswith('PASS '):
        print('  unexpectedly passes on the skeleton: ' + line[5:])
sys.exit(0 if passed == 0 and failed > 0 else 1)
