# SPDX-License-Identifier: Apache-2.0
"""Starts a real gregor-server for a compat test and always stops it.

    with GregorBroker(server_binary, source_dir) as broker:
        broker.bootstrap  # "127.0.0.1:<port>"
        broker.metrics_port  # set when gregor.metrics.listener is overridden

The broker binds port 0 (never a fixed port), keeps its data in a fresh
temporary directory, and is stopped with SIGTERM (SIGKILL after a timeout)
when the block ends, whatever happens inside it.
"""
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time


class GregorBroker:
    def __init__(self, server, source_dir, overrides=None, start_timeout=30):
        self.server = server
        self.config = os.path.join(source_dir, 'config', 'server.properties')
        self.overrides = dict(overrides or {})
        self.start_timeout = start_timeout
        self.proc = None
        self.dir = None
        self.port = None
        self.exit_code = None
        self.metrics_port = None

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix='gregor-compat-')
        args = [self.server, self.config,
                '--override', 'log.dirs=' + os.path.join(self.dir, 'data'),
                '--override', 'listeners=PLAINTEXT://localhost:0',
                '--override', 'advertised.listeners=PLAINTEXT://127.0.0.1:0']
        for k, v in self.overrides.items():
            args += ['--override', '%s=%s' % (k, v)]
        self.log = open(os.path.join(self.dir, 'server.log'), 'w')
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        deadline = time.monotonic() + self.start_timeout
        while self.port is None:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                self._stop()
                raise RuntimeError('gregor-server did not start:\n' + self.server_log())
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                line = self.proc.stdout.readline()
                if line.startswith('gregor-server listening on port '):
                    self.port = int(line.split()[-1])
        if self.overrides.get('gregor.metrics.listener'):
            # Printed right after the "listening" line (often already
            # buffered, so select would not see it): a plain readline.
            line = self.proc.stdout.readline()
            if line.startswith('gregor-server metrics on port '):
                self.metrics_port = int(line.split()[-1])
        self.bootstrap = '127.0.0.1:%d' % self.port
        return self

    def server_log(self):
        try:
            with open(os.path.join(self.dir, 'server.log')) as f:
                return f.read()[-5000:]
        except OSError:
            return ''

    def _stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.exit_code = self.proc.returncode

    def __exit__(self, *exc):
        self._stop()
        self.log.close()
        if exc[0] is not None:
            print('--- gregor-server log ---\n' + self.server_log())
        shutil.rmtree(self.dir, ignore_errors=True)
        return False
