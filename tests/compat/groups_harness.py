# SPDX-License-Identifier: Apache-2.0
"""Drives consumer-group members that run as child processes (chapter 06).

Each member is a real client (kafka-python, confluent-kafka, kafkajs, ...)
in a process of its own, so that it can be closed cleanly or SIGKILLed.
Member and test talk in JSON lines:

    member -> test (stdout)            test -> member (stdin)
    {"ev": "ready"}                    go            stop pausing, consume
    {"ev": "assigned", "parts": [..]}  commit        synchronous commit
    {"ev": "revoked", "parts": [..]}   commit_async  asynchronous commit
    {"ev": "recs", "recs": [[p, o, v], ...]}
    {"ev": "committed", "offsets": {"p": next offset, ...}}
    {"ev": "closed"}                   close         leave the group, exit
    {"ev": "error", "msg": ...}

"assigned" carries the member's whole assignment after a rebalance. Until
it is told "go", a member keeps whatever it is assigned paused, so that a
test can first see the group settle (2/2/2) and only then let records flow:
no record is then read by a member that loses its partition before it
commits. Values are "<topic>/<partition>/<n>" strings, unique per topic.

Test side: Members starts and always reaps the processes; settled() is
the predicate "assignments disjoint, complete, of these sizes, quiet";
read_all() and check_once() check exactly-once delivery; check_commits()
and check_eviction_time() the commits and the session expiry; run_core()
is the scenario the confluent-kafka and kafkajs tests share. Member side:
emit(), Commands and member_deadline().

Every wait has a deadline; a member still running when its test ends is
killed (Members.__exit__).
"""
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time


class Member:
    """One member process and what it has reported so far."""

    def __init__(self, name, argv):
        self.name = name
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        self.lock = threading.Condition()
        self.assigned = None          # latest whole assignment, a sorted list
        self.assigned_at = None       # time.monotonic() of that report
        self.assignments = 0          # how many "assigned" reports
        self.recs = []                # every (partition, offset, value) consumed
        self.committed = []           # every "committed" report's offsets
        self.closed = False
        self.ready = False
        self.errors = []
        self.stderr = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                self.stderr.append('stdout: ' + line.rstrip())
                continue
            now = time.monotonic()
            with self.lock:
                kind = ev.get('ev')
                if kind == 'ready':
                    self.ready = True
                elif kind == 'assigned':
                    self.assigned = sorted(ev['parts'])
                    self.assigned_at = now
                    self.assignments += 1
                elif kind == 'revoked':
                    pass
                elif kind == 'recs':
                    self.recs.extend(tuple(r) for r in ev['recs'])
                elif kind == 'committed':
                    self.committed.append({int(p): o for p, o in ev['offsets'].items()})
                elif kind == 'closed':
                    self.closed = True
                elif kind == 'error':
                    self.errors.append(ev.get('msg'))
                self.lock.notify_all()

    def _read_err(self):
        for line in self.proc.stderr:
            self.stderr.append(line.rstrip())
            del self.stderr[:-200]

    def send(self, command):
        self.proc.stdin.write(command + '\n')
        self.proc.stdin.flush()

    def wait_for(self, predicate, timeout, what):
        """Waits until predicate(self) holds, under the member's lock."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while not predicate(self):
                if self.errors:
                    raise AssertionError('%s reported errors: %s' % (self.name, self.errors))
                if self.proc.poll() is not None and not predicate(self):
                    raise AssertionError('%s exited (%s) while waiting for %s\n%s' %
                                         (self.name, self.proc.returncode, what, self.tail()))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError('%s: no %s within %.0f s\n%s' %
                                         (self.name, what, timeout, self.tail()))
                self.lock.wait(min(left, 0.2))

    def commit(self, timeout=30, asynchronous=False):
        """Asks for a commit and returns the offsets it reports."""
        with self.lock:
            before = len(self.committed)
        self.send('commit_async' if asynchronous else 'commit')
        self.wait_for(lambda m: len(m.committed) > before, timeout, 'commit report')
        with self.lock:
            return self.committed[-1]

    def close(self, timeout=30):
        """A clean close: the member leaves the group and exits."""
        self.send('close')
        self.wait_for(lambda m: m.closed, timeout, 'clean close')
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError('%s did not exit after closing' % self.name)

    def kill(self):
        """SIGKILL: the member never leaves; only its session timeout ends it."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def tail(self):
        return '--- %s stderr ---\n%s' % (self.name, '\n'.join(self.stderr[-40:]))

    def reap(self):
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass


class Members:
    """The members a test started; killed at the end whatever happens."""

    def __init__(self):
        self.all = []

    def start(self, name, argv):
        m = Member(name, argv)
        self.all.append(m)
        return m

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            for m in self.all:
                print(m.tail(), file=sys.stderr)
        for m in self.all:
            m.reap()
        return False


def wait_until(predicate, timeout, what, members=(), poll=0.05):
    """Polls predicate() until true; on timeout fails with what and the members' state."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        for m in members:
            if m.errors:
                raise AssertionError('%s reported errors: %s' % (m.name, m.errors))
        if time.monotonic() > deadline:
            state = '; '.join('%s assigned=%s recs=%d alive=%s' %
                              (m.name, m.assigned, len(m.recs), m.proc.poll() is None)
                              for m in members)
            raise AssertionError('no %s within %.0f s (%s)\n%s' %
                                 (what, timeout, state, '\n'.join(m.tail() for m in members)))
        time.sleep(poll)


def settled(members, partitions, sizes=None, quiet=0.5):
    """A predicate: the members' latest assignments are disjoint, cover 0..partitions-1,
    have the given sizes (sorted) if any, and none changed in the last `quiet` s."""
    def check():
        now = time.monotonic()
        got = []
        for m in members:
            with m.lock:
                if m.assigned is None or now - m.assigned_at < quiet:
                    return False
                got.append(list(m.assigned))
        flat = [p for a in got for p in a]
        if sorted(flat) != list(range(partitions)):
            return False
        return sizes is None or sorted(len(a) for a in got) == sorted(sizes)
    return check


def assignment_of(members):
    return {m.name: list(m.assigned or []) for m in members}


def value_of(topic, partition, n):
    return '%s/%d/%d' % (topic, partition, n)


def produce(bootstrap, topic, partitions, per_partition, start=0, producer=None):
    """per_partition records into each partition (explicit partition, kafka-python,
    acks=all), values value_of(topic, p, start..start+per_partition-1), through
    producer if given (left open) or a producer of its own (closed).
    Returns {value: (partition, offset)}."""
    from kafka import KafkaProducer
    p = producer or KafkaProducer(bootstrap_servers=bootstrap, acks='all', linger_ms=5,
                                  request_timeout_ms=30000, max_block_ms=30000,
                                  client_id='gregor-groups-producer')
    try:
        futures = []
        for n in range(start, start + per_partition):
            for part in range(partitions):
                v = value_of(topic, part, n)
                futures.append((v, p.send(topic, value=v.encode(), partition=part)))
        p.flush(timeout=60)
        return {v: (f.get(timeout=1).partition, f.get(timeout=1).offset) for v, f in futures}
    finally:
        if producer is None:
            p.close(timeout=10)


def create_topic(bootstrap, topic, partitions):
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000,
                             client_id='gregor-groups-admin')
    try:
        resp = admin.create_topics([NewTopic(topic, partitions, 1)], timeout_ms=30000)
        errors = [e for e in resp.topic_errors if e[1] != 0]
        if errors:
            raise AssertionError('create_topics %s: %r' % (topic, errors))
    finally:
        admin.close()


def consumed(members):
    """Every (partition, offset, value) the members read, in one list."""
    out = []
    for m in members:
        with m.lock:
            out.extend(m.recs)
    return out


def check_once(members, expected, what):
    """Every value of expected ({value: (partition, offset)}) was read exactly once
    across members, at its partition and offset, and nothing else was read."""
    seen = {}
    for m in members:
        with m.lock:
            for p, o, v in m.recs:
                if v in seen:
                    raise AssertionError('%s: %s read twice (by %s and %s)' %
                                         (what, v, seen[v][0], m.name))
                seen[v] = (m.name, p, o)
    missing = sorted(set(expected) - set(seen))
    extra = sorted(set(seen) - set(expected))
    if missing or extra:
        raise AssertionError('%s: %d read, %d expected; missing e.g. %s; unexpected e.g. %s' %
                             (what, len(seen), len(expected), missing[:5],
                              [(v, seen[v]) for v in extra[:5]]))
    for v, (name, p, o) in seen.items():
        if expected[v] != (p, o):
            raise AssertionError('%s: %s read at %d/%d, produced at %s' % (what, v, p, o,
                                                                        expected[v]))
    return seen


def reset_reads(members):
    for m in members:
        with m.lock:
            m.recs = []


def read_all(members, expected, what, timeout=60, owners_only=True):
    """Waits until len(expected) records are read across members, lets 0.5 s more
    pass (a duplicate would show), and checks each was read exactly once and, with
    owners_only (no rebalance while reading), by the member owning its partition."""
    wait_until(lambda: len(consumed(members)) >= len(expected), timeout,
               '%s: %d records read' % (what, len(expected)), members)
    time.sleep(0.5)
    check_once(members, expected, what)
    for m in members if owners_only else ():
        with m.lock:
            strays = [r for r in m.recs if r[0] not in m.assigned]
        if strays:
            raise AssertionError('%s: %s read %s outside its assignment %s' %
                                 (what, m.name, strays[:3], m.assigned))


def check_commits(members, ends):
    for m in members:
        offsets = m.commit()
        for p in m.assigned:
            if offsets.get(p) != ends[p]:
                raise AssertionError('%s committed %s, expected %d for partition %d' %
                                     (m.name, offsets, ends[p], p))


# The broker expires a member session.timeout.ms after its LAST heartbeat,
# which came up to one heartbeat interval before the kill: the survivors
# are reassigned between SESSION - HEARTBEAT after the kill and SESSION plus
# their rejoin (they hear of the rebalance on their next heartbeat, then
# JoinGroup + SyncGroup): EVICTION_MARGIN_S.
EVICTION_MARGIN_S = 3.0
# Broker settings for group tests: a short initial delay, short sessions allowed.
BROKER = {'group.initial.rebalance.delay.ms': 200,
          'group.min.session.timeout.ms': 1000}


def check_eviction_time(took, session_ms, heartbeat_ms):
    low = (session_ms - heartbeat_ms) / 1000.0 - 0.05
    high = session_ms / 1000.0 + EVICTION_MARGIN_S
    if not low <= took < high:
        raise AssertionError('eviction: survivors reassigned %.2f s after the kill, expected '
                             'in [%.2f, %.2f) (session.timeout.ms=%d, heartbeat %d ms)' %
                             (took, low, high, session_ms, heartbeat_ms))


def run_core(bootstrap, start, topic, partitions, per_partition, session_ms, heartbeat_ms,
             prefix, asynchronous=(), members=3):
    """The scenario every client runs; start(name) starts a member of the group.

    split: `members` members settle at an even split (partitions divisible by
    members), every record is read once by its partition's owner, and each
    member commits (asynchronously those whose index is in `asynchronous`);
    leave + restart: the last member closes (its partitions move at once,
    well before a session timeout), a new one joins, new records are read
    once (every partition resumed at its commit); eviction: the second
    member is SIGKILLed and the survivors take its partitions once its
    session expired (check_eviction_time); new records once, committed.
    Returns the live members and the end offsets they committed."""
    share = partitions // members
    create_topic(bootstrap, topic, partitions)
    expected = produce(bootstrap, topic, partitions, per_partition)
    m = [start('%s-%d' % (prefix, i)) for i in range(members)]
    wait_until(settled(m, partitions, [share] * members), 60, 'even assignment', m)
    for x in m:
        x.send('go')
    read_all(m, expected, 'split')
    offsets = {}
    for i, x in enumerate(m):
        offsets.update(x.commit(asynchronous=i in asynchronous))
    ends = {p: per_partition for p in range(partitions)}
    if offsets != ends:
        raise AssertionError('committed %r, expected %r' % (offsets, ends))
    print('split: %s; %d records read once; committed (%d async)' %
          (assignment_of(m), len(expected), len(asynchronous)))

    t0 = time.monotonic()
    m[-1].close()
    live = m[:-1]
    wait_until(settled(live, partitions, quiet=0), 30, 'reassignment after leave', live)
    took = max(x.assigned_at for x in live) - t0
    if took >= session_ms / 1000.0:
        raise AssertionError('leave: reassigned after %.2f s, not before the session timeout'
                             % took)
    back = start('%s-%d-restarted' % (prefix, members - 1))
    back.send('go')
    live = live + [back]
    wait_until(settled(live, partitions, [share] * members), 30, 'even split after restart',
               live)
    reset_reads(live)
    expected = produce(bootstrap, topic, partitions, 100, start=per_partition)
    ends = {p: per_partition + 100 for p in range(partitions)}
    read_all(live, expected, 'after restart')
    check_commits(live, ends)
    print('leave: reassigned in %.2f s; restart: %s; only the new records read' %
          (took, assignment_of(live)))

    victim = live[1]
    orphaned = list(victim.assigned)
    t0 = time.monotonic()
    victim.kill()
    live = [x for x in live if x is not victim]
    wait_until(settled(live, partitions, quiet=0), session_ms / 1000.0 + 30,
               'reassignment after kill', live)
    took = max(x.assigned_at for x in live) - t0
    print('eviction: %s (held %s) evicted, survivors reassigned %.2f s after the kill '
          '(session.timeout.ms=%d, heartbeat %d ms): %s' %
          (victim.name, orphaned, took, session_ms, heartbeat_ms, assignment_of(live)))
    check_eviction_time(took, session_ms, heartbeat_ms)
    reset_reads(live)
    expected = produce(bootstrap, topic, partitions, 100, start=per_partition + 100)
    ends = {p: per_partition + 200 for p in range(partitions)}
    read_all(live, expected, 'after eviction')
    check_commits(live, ends)
    return live, ends


def emit(**event):
    """Member side: one JSON line to the test."""
    sys.stdout.write(json.dumps(event) + '\n')
    sys.stdout.flush()


class Commands:
    """Member side: the test's commands, read from stdin by a thread."""

    def __init__(self):
        self.q = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in sys.stdin:
            self.q.put(line.strip())
        self.q.put('eof')

    def pending(self):
        out = []
        while True:
            try:
                out.append(self.q.get_nowait())
            except queue.Empty:
                return out


def member_deadline(seconds=300):
    """Member side: never outlive a stuck test."""
    def die():
        time.sleep(seconds)
        os._exit(3)
    threading.Thread(target=die, daemon=True).start()
