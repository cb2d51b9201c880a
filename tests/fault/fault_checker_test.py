#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""fault_checker on synthetic histories: each anomaly alone, with its count,
and a clean history with none. No broker; runs in well under a second."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fault_checker  # noqa: E402
from fault_checker import History, check, violations  # noqa: E402


def v(tag, rid):
    return ('%s:%d:....' % (tag, rid)).encode()


def sent_and_acked(h, tag, placements):
    """placements: [(id, partition, offset)] -> all sent and acknowledged."""
    for rid, p, o in placements:
        h.send(tag, rid)
        h.ok(tag, rid, p, o)


def log_of(tag, placements):
    return [(p, o, v(tag, rid)) for rid, p, o in placements]


CLEAN = [(0, 0, 0), (1, 1, 0), (2, 0, 1), (3, 1, 1), (4, 0, 2)]


class FaultCheckerTest(unittest.TestCase):
    def setUp(self):
        print('--- %s' % self._testMethodName)

    def assertOnly(self, result, **expected):
        for a in fault_checker.ANOMALIES:
            self.assertEqual(result[a], expected.get(a.replace('-', '_'), 0), a)

    def test_clean_history_has_no_anomaly(self):
        h = History()
        sent_and_acked(h, 'g', CLEAN)
        h.read(log_of('g', CLEAN[:3]))
        h.read(log_of('g', CLEAN), final=True)
        r = check(h)
        self.assertOnly(r)
        self.assertEqual((r['sent'], r['acked'], r['read'], r['reads']), (5, 5, 5, 2))
        self.assertEqual(violations(r), [])

    def test_acked_record_missing_from_final_read_is_lost_write(self):
        h = History()
        sent_and_acked(h, 'g', CLEAN)
        h.read(log_of('g', CLEAN[:3]), final=True)
        r = check(h)
        self.assertOnly(r, lost_write=2)
        self.assertEqual(violations(r), ['lost-write=2'])

    def test_indeterminate_record_may_be_missing_or_present(self):
        h = History()
        sent_and_acked(h, 'g', CLEAN[:2])
        h.send('g', 2)
        h.info('g', 2)
        h.send('g', 3)
        h.info('g', 3)
        h.read(log_of('g', CLEAN[:3]), final=True)
        r = check(h)
        self.assertOnly(r)
        self.assertEqual((r['indeterminate'], r['indeterminate-read']), (2, 1))

    def test_record_read_once_then_gone_is_lost_read(self):
        h = History()
        h.send('g', 0)
        h.info('g', 0)
        h.send('g', 1)
        h.ok('g', 1, 0, 1)
        h.read([(0, 0, v('g', 0)), (0, 1, v('g', 1))])
        h.read([(0, 0, v('g', 1))], final=True)  # truncated, 1 rewritten at 0
        r = check(h)
        # 0 went missing after being read; offset 0 held two values.
        self.assertOnly(r, lost_read=1, inconsistent_offsets=1)

    def test_one_record_at_two_offsets_is_a_duplicate_not_a_violation(self):
        h = History()
        sent_and_acked(h, 'g', CLEAN[:2])
        h.read(log_of('g', CLEAN[:2]) + [(0, 1, v('g', 0)), (0, 2, v('g', 0))], final=True)
        r = check(h)
        self.assertOnly(r, duplicate=2)
        self.assertEqual(violations(r), [])

    def test_two_values_at_one_offset_across_reads_are_inconsistent(self):
        h = History()
        sent_and_acked(h, 'g', [(0, 0, 0)])
        h.send('g', 1)
        h.info('g', 1)
        h.read([(0, 0, v('g', 0))])
        h.read([(0, 0, v('g', 1)), (0, 1, v('g', 0))], final=True)
        r = check(h)
        self.assertOnly(r, inconsistent_offsets=1)  # offset 0: g:0, then g:1

    def test_acknowledged_offset_disagreeing_with_the_log_is_inconsistent(self):
        h = History()
        h.send('g', 0)
        h.ok('g', 0, 0, 5)
        h.send('g', 1)
        h.ok('g', 1, 0, 6)
        h.read([(0, 5, v('g', 1)), (0, 6, v('g', 0))], final=True)
        self.assertOnly(check(h), inconsistent_offsets=2)

    def test_offsets_going_backwards_in_one_pass_are_nonmonotonic(self):
        h = History()
        sent_and_acked(h, 'g', CLEAN)
        h.read([(0, 0, v('g', 0)), (0, 1, v('g', 2)), (0, 0, v('g', 0)), (0, 1, v('g', 2)),
                (0, 2, v('g', 4)), (1, 0, v('g', 1)), (1, 1, v('g', 3)), (1, 1, v('g', 3))],
               final=True)
        r = check(h)
        self.assertOnly(r, nonmonotonic_poll=2)

    def test_partitions_interleaved_in_one_pass_are_not_nonmonotonic(self):
        h = History()
        sent_and_acked(h, 'g', CLEAN)
        h.read([(1, 0, v('g', 1)), (0, 0, v('g', 0)), (1, 1, v('g', 3)), (0, 1, v('g', 2)),
                (0, 2, v('g', 4))], final=True)
        self.assertOnly(check(h))

    def test_gap_in_a_pass_is_poll_skip(self):
        h = History()
        sent_and_acked(h, 'g', [(0, 0, 0), (1, 0, 3)])
        h.read([(0, 0, v('g', 0)), (0, 3, v('g', 1))], final=True)
        self.assertOnly(check(h), poll_skip=1)

    def test_values_nobody_sent_are_unexpected(self):
        h = History()
        sent_and_acked(h, 'g', [(0, 0, 0)])
        h.read([(0, 0, v('g', 0)), (0, 1, v('g', 99)), (0, 2, v('x', 0)), (0, 3, b'\xff'),
                (0, 4, None)], final=True)
        self.assertOnly(check(h), unexpected=4)

    def test_definitely_failed_record_read_back_is_failed_read(self):
        h = History()
        h.send('g', 0)
        h.fail('g', 0)
        h.read([(0, 0, v('g', 0))], final=True)
        r = check(h)
        self.assertOnly(r, failed_read=1)
        self.assertEqual(violations(r), ['failed-read=1'])

    def test_every_anomaly_counted_in_one_history(self):
        h = History()
        sent_and_acked(h, 'g', CLEAN)
        h.send('g', 5)
        h.fail('g', 5)
        h.read([(0, 0, v('g', 0)), (0, 1, v('g', 2)), (0, 2, v('g', 4))])
        h.read([(0, 0, v('g', 0)), (0, 1, v('g', 5)), (0, 0, v('g', 0)), (1, 0, v('g', 1)),
                (1, 3, v('g', 0)), (1, 4, b'junk')], final=True)
        r = check(h)
        # lost-write: 2, 3, 4; lost-read: 2, 4; offset 0-1 held 2 then 5.
        self.assertOnly(r, lost_write=3, lost_read=2, duplicate=1, inconsistent_offsets=1,
                        nonmonotonic_poll=1, poll_skip=1, unexpected=1, failed_read=1)

    def test_producer_file_lines_and_a_killed_driver(self):
        lines = ['send 0', 'send 1', 'send 2', 'send 3', 'ok 0 2 10', 'info 1 REQUEST_TIMED_OUT',
                 'fail 2 REQUEST_TIMED_OUT', 'sen']  # torn: the driver died writing it
        with tempfile.NamedTemporaryFile('w', suffix='.txt', delete=False) as f:
            f.write('\n'.join(lines))
        try:
            h = History()
            self.assertEqual(h.load_producer_file('g', f.name), 7)
        finally:
            os.unlink(f.name)
        self.assertEqual(h.acked, {('g', 0): (2, 10)})
        self.assertEqual(h.failed, {('g', 2)})
        self.assertEqual(h.indeterminate, {('g', 1), ('g', 3)})  # 3: no outcome at all

    def test_summary_names_every_count(self):
        h = History()
        sent_and_acked(h, 'g', CLEAN)
        h.read(log_of('g', CLEAN), final=True)
        line = fault_checker.summary(check(h))
        self.assertIn('lost-write=0', line)
        self.assertIn('acked=5', line)
        self.assertEqual(fault_checker.per_tag(h), {'g': {'sent': 5, 'acked': 5}})


if __name__ == '__main__':
    unittest.main(verbosity=2)
