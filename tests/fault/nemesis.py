# SPDX-License-Identifier: Apache-2.0
"""The fault harness's broker and nemesis.

BrokerNode is one gregor-server on a data directory and a loopback port that
both outlive the process, so a restarted broker is the same node to the
clients (Kafka's producers reconnect to the address they know). Nemesis
runs one fault at a time against it:

    kill   SIGKILL, wait for the exit, restart on the same directory
    kill-recovery
           SIGKILL, restart, SIGKILL again 2-60 ms after the spawn (mostly
           while the broker loads and recovers its logs: 'hit' says whether
           it had not listened yet), restart: recovery itself must survive
           a crash
    term   SIGTERM (clean shutdown: exit 0 and the clean-shutdown marker),
           restart
    pause  SIGSTOP for longer than the clients' request.timeout.ms, SIGCONT

and, on a broker started with disk_faults=True (gregor.test.env=fault: its
storage runs over a FaultInjectionEnv the nemesis drives through a control
file, no privileges needed):

    enospc every write fails with ENOSPC (the failing one torn): the log dir
           goes offline, and with no online log dir left the broker must
           stop by itself (exit 1, no clean-shutdown marker); the disk stays
           full for --disk-fault-s, is cleared, and the broker restarts
    eio    the same with EIO on every write and sync
    powerloss
           every file goes back to what was fsynced (unsynced appends,
           index bytes, renames, file creations undone) and the broker
           _exit(9)s at once; the nemesis restarts it

and records, per cycle, the fault, how long the restart took (spawn to the
"listening" line, which comes after log recovery) and whether it met the
bound. Every wait has a timeout; close() kills whatever process is left,
stopped or not, so a failing test never leaves a broker behind.
"""
import ctypes
import os
import random
import re
import select
import signal
import socket
import subprocess
import time

MARKER = '.kafka_cleanshutdown'


def die_with_parent():
    """preexec_fn for every process the harness starts: the kernel sends it
    SIGKILL when the harness dies, even if its finally blocks never run
    (CTest's timeout kill)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_loopback_port():
    """A port nothing listens on now, below the ephemeral range: the broker
    binds it again on every restart (SO_REUSEADDR on its side makes the
    rebind after a kill work), and no client's outgoing connection can take
    it as a source port while the broker is down (a TCP self-connect would
    hold the port and fail the restart)."""
    try:
        with open('/proc/sys/net/ipv4/ip_local_port_range') as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    rng = random.Random()
    for _ in range(100):
        port = rng.randrange(max(1024, low - 12000), low)
        s = socket.socket()
        try:
            s.bind(('127.0.0.1', port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise AssertionError('no free loopback port below %d' % low)


class BrokerNode:
    """One gregor-server: data dir and port fixed, process replaceable."""

    def __init__(self, server, source_dir, root, overrides=None, start_timeout=30,
                 disk_faults=False):
        self.server = server
        self.config = os.path.join(source_dir, 'config', 'server.properties')
        self.root = root
        self.data = os.path.join(root, 'data')
        self.port = free_loopback_port()
        self.bootstrap = '127.0.0.1:%d' % self.port
        self.overrides = dict(overrides or {})
        self.control = os.path.join(root, 'gregor-fault-control')
        if disk_faults:
            self.overrides['gregor.test.env'] = 'fault'
            self.overrides['gregor.test.fault.control.file'] = self.control
        self.start_timeout = start_timeout
        self.proc = None
        self.starts = 0
        self.log_paths = []

    def start(self, wait=True):
        """Spawns the broker and waits for its "listening" line; returns the
        seconds that took. Raises AssertionError if it exits or is late.
        wait=False returns right after the spawn (None)."""
        assert self.proc is None or self.proc.poll() is not None
        args = [self.server, self.config,
                '--override', 'log.dirs=' + self.data,
                '--override', 'listeners=PLAINTEXT://127.0.0.1:%d' % self.port,
                '--override', 'advertised.listeners=PLAINTEXT://127.0.0.1:%d' % self.port]
        for k, v in self.overrides.items():
            args += ['--override', '%s=%s' % (k, v)]
        log_path = os.path.join(self.root, 'server-%d.log' % self.starts)
        self.log_paths.append(log_path)
        self.starts += 1
        t0 = time.monotonic()
        with open(log_path, 'w') as log:
            # debug: Log::Open's "loaded ... recovered=N" line, read by
            # recovered_segments().
            env = dict(os.environ, GREGOR_LOG_LEVEL='debug')
            self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, text=True,
                                         env=env, preexec_fn=die_with_parent)
        if not wait:
            return None
        deadline = t0 + self.start_timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                self.kill()
                raise AssertionError('gregor-server start %d did not listen within %d s:\n%s' %
                                     (self.starts, self.start_timeout, self.log_tail()))
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                line = self.proc.stdout.readline()
                if line.startswith('gregor-server listening on port '):
                    return time.monotonic() - t0

    def set_disk_fault(self, command):
        """Writes the control file (none | enospc | eio | powerloss); the
        broker polls it every 100 ms. Written whole, then renamed, so the
        broker never reads half a command."""
        tmp = self.control + '.tmp'
        with open(tmp, 'w') as f:
            f.write(command + '\n')
        os.replace(tmp, self.control)

    def wait_exit(self, timeout):
        """The exit code once the process exits by itself, or None after
        `timeout` seconds (the process is left running)."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self.proc.stdout.close()
        return rc

    def log_text(self):
        with open(self.log_paths[-1], errors='replace') as f:
            return f.read()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL (also a stopped process) and reap; safe to repeat."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            raise AssertionError('gregor-server pid %d survived SIGKILL for 20 s' % self.proc.pid)
        self.proc.stdout.close()

    def terminate(self, timeout=20):
        """SIGTERM; returns the exit code. Raises if it takes over `timeout`."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError('gregor-server ignored SIGTERM for %d s' % timeout)
        self.proc.stdout.close()
        return rc

    def recovered_segments(self, topic):
        """{partition: segments recovered} from the latest start's log."""
        with open(self.log_paths[-1], errors='replace') as f:
            text = f.read()
        return {int(m.group(1)): int(m.group(2)) for m in re.finditer(
            r'loaded dir=\S*/%s-(\d+) segments=\d+ recovered=(\d+)' % re.escape(topic), text)}

    def marker_present(self):
        return os.path.exists(os.path.join(self.data, MARKER))

    def log_tail(self, lines=40):
        """The last non-debug lines of the latest server log."""
        if not self.log_paths:
            return ''
        with open(self.log_paths[-1], errors='replace') as f:
            kept = [l for l in f.read().splitlines() if ' debug ' not in l]
        return '\n'.join(kept[-lines:])


class Nemesis:
    """Faults against one BrokerNode; see the module doc. restart_bound_s
    bounds every restart; pause_s should exceed the clients' request
    timeout so their requests time out while the broker is stopped."""

    def __init__(self, node, restart_bound_s=15.0, pause_s=4.0, seed=0, disk_fault_s=1.5,
                 self_stop_bound_s=15.0):
        self.node = node
        self.disk_fault_s = disk_fault_s
        self.self_stop_bound_s = self_stop_bound_s
        self.rng = random.Random(seed)
        self.restart_bound_s = restart_bound_s
        self.pause_s = pause_s
        self.cycles = []  # {'op', 'restart_s', 'ok'}

    def run(self, op):
        """Runs one fault cycle; returns its record. Raises AssertionError on
        a broken property of the fault itself (no clean exit on SIGTERM, the
        marker after SIGKILL, a restart over the bound)."""
        node = self.node
        cycle = {'op': op, 'restart_s': None}
        if op == 'kill':
            node.kill()
            if node.marker_present():
                raise AssertionError('clean-shutdown marker present after SIGKILL')
            cycle['restart_s'] = node.start()
        elif op == 'kill-recovery':
            node.kill()
            node.start(wait=False)
            time.sleep(self.rng.uniform(0.002, 0.06))
            node.kill()
            # Hit: it died before listening, i.e. while loading its logs.
            with open(node.log_paths[-1], errors='replace') as f:
                log = f.read()
            cycle['hit'] = 'listening on' not in log
            cycle['loaded_before_kill'] = log.count('loaded dir=')
            if node.marker_present():
                raise AssertionError('clean-shutdown marker present after SIGKILL')
            cycle['restart_s'] = node.start()
        elif op == 'term':
            rc = node.terminate()
            if rc != 0:
                raise AssertionError('gregor-server exited %d on SIGTERM:\n%s' %
                                     (rc, node.log_tail()))
            if not node.marker_present():
                raise AssertionError('no clean-shutdown marker after SIGTERM')
            cycle['restart_s'] = node.start()
        elif op == 'pause':
            node.proc.send_signal(signal.SIGSTOP)
            try:
                time.sleep(self.pause_s)
            finally:
                node.proc.send_signal(signal.SIGCONT)
        elif op in ('enospc', 'eio'):
            t0 = time.monotonic()
            node.set_disk_fault(op)
            rc = node.wait_exit(self.self_stop_bound_s)
            cycle['self_stop_s'] = time.monotonic() - t0
            if rc is None:
                node.kill()
                raise AssertionError('%s: the broker did not stop within %.0f s with its only '
                                     'log dir failed:\n%s' % (op, self.self_stop_bound_s,
                                                               node.log_tail()))
            log = node.log_text()
            if rc != 1 or 'log dir offline' not in log or 'stopping the broker' not in log:
                raise AssertionError('%s: exit %d (want 1 after taking the log dir offline):\n%s'
                                     % (op, rc, node.log_tail()))
            if node.marker_present():
                raise AssertionError('%s: clean-shutdown marker in the failed log dir' % op)
            time.sleep(max(0.0, self.disk_fault_s - (time.monotonic() - t0)))
            node.set_disk_fault('none')  # space is back
            cycle['restart_s'] = node.start()
        elif op == 'powerloss':
            node.set_disk_fault('powerloss')
            rc = node.wait_exit(self.self_stop_bound_s)
            if rc is None:
                node.kill()
                raise AssertionError('powerloss: the broker did not exit:\n' + node.log_tail())
            if rc != 9:
                raise AssertionError('powerloss: exit %d, want 9:\n%s' % (rc, node.log_tail()))
            if node.marker_present():
                raise AssertionError('clean-shutdown marker present after a power loss')
            node.set_disk_fault('none')  # before the restart: a stale command is ignored anyway
            cycle['restart_s'] = node.start()
        else:
            raise ValueError(op)
        cycle['ok'] = cycle['restart_s'] is None or cycle['restart_s'] <= self.restart_bound_s
        self.cycles.append(cycle)
        if not cycle['ok']:
            raise AssertionError('%s: restart took %.1f s, bound %.1f s' %
                                 (op, cycle['restart_s'], self.restart_bound_s))
        return cycle

    def close(self):
        """Kills the broker if it is running (SIGCONT first is not needed:
        SIGKILL ends a stopped process too)."""
        self.node.kill()

    def counts(self):
        out = {}
        for c in self.cycles:
            out[c['op']] = out.get(c['op'], 0) + 1
        return out

    def recovery_hits(self):
        """kill-recovery cycles whose second SIGKILL landed before listening."""
        return sum(1 for c in self.cycles if c.get('hit'))

    def max_restart_s(self):
        times = [c['restart_s'] for c in self.cycles if c['restart_s'] is not None]
        return max(times) if times else 0.0
