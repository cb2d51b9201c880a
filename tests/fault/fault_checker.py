# SPDX-License-Identifier: Apache-2.0
"""The fault harness's checker: a history of sends and reads in, anomaly
counts out (the error names of Jepsen's Kafka/Redpanda queue checker).

A History holds what every producer reported about every record and every
read pass the reader made:

    h = History()
    h.send('g-all', 7)                    # Send() called for record 7
    h.ok('g-all', 7, partition=2, offset=40)
    h.fail('g-all', 8)                    # definitely not written
    h.info('g-all', 9)                    # indeterminate: may or may not be there
    h.read([(2, 40, b'g-all:7:...'), ...], final=False)   # one pass, poll order
    result = check(h)                     # {'lost-write': 0, ..., 'acked': 1, ...}

A record is named by its value, "<tag>:<id>:<padding>", so several
producers can share a topic. A read pass is the list of (partition, offset,
value) one reader saw, in the order its polls returned them, from the log
start of every partition to the high watermark taken when the pass began.
The last pass marked final=True is the final state of the log.

Anomalies (each a count; the examples say which records):
  lost-write            acknowledged, absent from the final read
  lost-read             seen by an earlier read, absent from the final read
                        (committed, then gone: lost even without an ack)
  duplicate             a record at more than one offset in the final read
                        (expected without idempotence; reported, not failed)
  inconsistent-offsets  one (partition, offset) with two values, across all
                        reads and the acknowledged offsets
  nonmonotonic-poll     within one pass, a partition's offset not above the
                        one before it
  poll-skip             within one pass, a gap in a partition's offsets
                        (no compaction or transactions yet: none expected)
  unexpected            a value nobody sent (unknown tag or id, unparsable)
  failed-read           a record whose send definitely failed, read back
                        (Jepsen's G1a)
Totals: sent, acked, failed, indeterminate, indeterminate-read (indeterminate
records that did land), read (distinct records in the final read), reads.
"""
import collections

ANOMALIES = ['lost-write', 'lost-read', 'duplicate', 'inconsistent-offsets',
             'nonmonotonic-poll', 'poll-skip', 'unexpected', 'failed-read']
# The anomalies a run must not show; duplicates are allowed until chapter 07.
MUST_BE_ZERO = [a for a in ANOMALIES if a != 'duplicate']
EXAMPLES = 5


class History:
    """Everything the producers and the reader observed; see the module doc."""

    def __init__(self):
        self.sent = set()       # (tag, id)
        self.acked = {}         # (tag, id) -> (partition, offset)
        self.failed = set()     # (tag, id)
        self.indeterminate = set()
        self.passes = []        # [(final, [(partition, offset, value bytes)])]

    def send(self, tag, rid):
        self.sent.add((tag, rid))

    def ok(self, tag, rid, partition, offset):
        self.acked[(tag, rid)] = (partition, offset)

    def fail(self, tag, rid):
        self.failed.add((tag, rid))

    def info(self, tag, rid):
        self.indeterminate.add((tag, rid))

    def read(self, records, final=False):
        self.passes.append((final, list(records)))

    def load_producer_file(self, tag, path):
        """Adds one fault_producer outcome file (its line format). A record
        sent but without an outcome (the driver was killed) counts as
        indeterminate. Returns the number of lines read."""
        n = 0
        with open(path) as f:
            for line in f:
                parts = line.split()
                if not parts or (len(parts) < 2 and parts[0] != 'done'):
                    continue  # a torn last line of a killed driver
                n += 1
                kind = parts[0]
                if kind == 'send':
                    self.send(tag, int(parts[1]))
                elif kind == 'ok' and len(parts) == 4:
                    self.ok(tag, int(parts[1]), int(parts[2]), int(parts[3]))
                elif kind == 'fail':
                    self.fail(tag, int(parts[1]))
                elif kind == 'info':
                    self.info(tag, int(parts[1]))
        for key in self.sent:
            if key[0] == tag and key not in self.acked and key not in self.failed:
                self.indeterminate.add(key)
        return n


def parse_value(value):
    """b'<tag>:<id>:...' -> (tag, id), or None if it is no such value."""
    if value is None:
        return None
    try:
        text = value.decode('ascii')
    except UnicodeDecodeError:
        return None
    parts = text.split(':')
    if len(parts) < 3 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


def check(h):
    """Counts every anomaly of `h`; returns {name: count} plus totals and
    'examples': {name: [a few offending records]}."""
    counts = {a: 0 for a in ANOMALIES}
    examples = collections.defaultdict(list)

    def note(anomaly, what, n=1):
        counts[anomaly] += n
        if len(examples[anomaly]) < EXAMPLES:
            examples[anomaly].append(what)

    # One value per (partition, offset), from every observation.
    at = collections.defaultdict(set)
    for key, po in h.acked.items():
        at[po].add(key)
    ever_read = set()
    unexpected = set()
    final = None
    for is_final, records in h.passes:
        last = {}
        for partition, offset, value in records:
            rec = parse_value(value)
            if rec is None or rec not in h.sent:
                if (partition, offset, value) not in unexpected:
                    unexpected.add((partition, offset, value))
                    note('unexpected', (partition, offset, value))
                rec = ('?', value)
            else:
                ever_read.add(rec)
            at[(partition, offset)].add(rec)
            prev = last.get(partition)
            if prev is not None and offset <= prev:
                note('nonmonotonic-poll', (partition, prev, offset))
            elif prev is not None and offset > prev + 1:
                note('poll-skip', (partition, prev, offset))
            last[partition] = offset
        if is_final:
            final = records
    for po, values in sorted(at.items()):
        if len(values) > 1:
            note('inconsistent-offsets', (po, sorted(map(str, values))))

    final_at = collections.defaultdict(set)
    for partition, offset, value in final or []:
        rec = parse_value(value)
        if rec in h.sent:
            final_at[rec].add((partition, offset))
    for rec, places in sorted(final_at.items()):
        if len(places) > 1:
            note('duplicate', (rec, sorted(places)), len(places) - 1)
    if final is not None:
        for rec in sorted(h.acked):
            if rec not in final_at:
                note('lost-write', (rec, h.acked[rec]))
        for rec in sorted(ever_read):
            if rec not in final_at:
                note('lost-read', rec)
    for rec in sorted(ever_read & h.failed):
        note('failed-read', rec)

    indeterminate = h.indeterminate - set(h.acked) - h.failed
    counts.update({
        'sent': len(h.sent),
        'acked': len(h.acked),
        'failed': len(h.failed),
        'indeterminate': len(indeterminate),
        'indeterminate-read': len(indeterminate & set(final_at)),
        'read': len(final_at),
        'reads': len(h.passes),
        'examples': dict(examples),
    })
    return counts


def per_tag(h):
    """{tag: {'sent', 'acked', 'indeterminate', 'failed'}} for the report."""
    out = collections.defaultdict(lambda: collections.Counter())
    for tag, _ in h.sent:
        out[tag]['sent'] += 1
    for tag, _ in h.acked:
        out[tag]['acked'] += 1
    for tag, _ in h.failed:
        out[tag]['failed'] += 1
    for key in h.indeterminate - set(h.acked) - h.failed:
        out[key[0]]['indeterminate'] += 1
    return {t: dict(c) for t, c in sorted(out.items())}


def violations(result):
    """The anomalies of MUST_BE_ZERO that are not zero, e.g. ['lost-write=3']."""
    return ['%s=%d' % (a, result[a]) for a in MUST_BE_ZERO if result[a]]


def summary(result):
    """One line of counts, anomalies then totals."""
    keys = ANOMALIES + ['sent', 'acked', 'failed', 'indeterminate', 'indeterminate-read',
                        'read', 'reads']
    return ' '.join('%s=%d' % (k, result[k]) for k in keys)
