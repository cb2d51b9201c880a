// SPDX-License-Identifier: Apache-2.0
// PerfStats and ThroughputThrottler: known latencies and times in, Kafka's
// exact lines and percentiles out; no wall clock, no sleeping.
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "perf_stats.h"
#include "throughput_throttler.h"

namespace gregor::tools {
namespace {

TEST(PerfStatsTest, PercentilesIndexFloorOfPTimesSamples) {
  PerfStats stats(1000, 0, nullptr);
  // Latencies 1..1000 ms in reverse order: sorting must happen.
  for (int i = 1000; i >= 1; --i) stats.Record(i, 100, 0);
  LatencyPercentiles p = stats.Percentiles();
  EXPECT_EQ(p.p50, 501);    // sorted[500]
  EXPECT_EQ(p.p95, 951);    // sorted[950]
  EXPECT_EQ(p.p99, 991);    // sorted[990]
  EXPECT_EQ(p.p999, 1000);  // sorted[999]
}

TEST(PerfStatsTest, TotalLineHasKafkasFormat) {
  PerfStats stats(4, 0, nullptr);
  stats.Record(1, 100, 10);
  stats.Record(2, 100, 20);
  stats.Record(3, 100, 30);
  stats.Record(10, 100, 40);
  // 4 records in 2 s; 400 B / 2 s / 2^20 = 0.00 MB/s; avg 4.0 ms.
  EXPECT_EQ(stats.TotalLine(2000),
            "4 records sent, 2.000000 records/sec (0.00 MB/sec), 4.00 ms avg latency, "
            "10.00 ms max latency, 3 ms 50th, 10 ms 95th, 10 ms 99th, 10 ms 99.9th.");
}

TEST(PerfStatsTest, WindowLinePrintedWhenFiveSecondsOld) {
  std::ostringstream out;
  PerfStats stats(100, 0, &out);
  for (int i = 0; i < 9; ++i) stats.Record(2, 1048576, 4000);
  EXPECT_EQ(out.str(), "");
  stats.Record(12, 1048576, 5000);  // the window is 5 s old: print, reset
  EXPECT_EQ(out.str(),
            "10 records sent, 2.0 records/sec (2.00 MB/sec), 3.0 ms avg latency, "
            "12.0 ms max latency.\n");
  EXPECT_EQ(stats.window_count(), 0);
  EXPECT_EQ(stats.count(), 10);
  stats.Record(4, 10, 6000);
  EXPECT_EQ(stats.WindowLine(7000),
            "1 records sent, 0.5 records/sec (0.00 MB/sec), 4.0 ms avg latency, "
            "4.0 ms max latency.");
}

TEST(PerfStatsTest, SamplesAtMostAboutHalfAMillion) {
  PerfStats stats(1'500'000, 0, nullptr);  // keeps every third latency
  for (int i = 0; i < 1'500'000; ++i) stats.Record(i % 3 == 0 ? 7 : 1, 100, 0);
  EXPECT_EQ(stats.samples(), 500'000);
  EXPECT_EQ(stats.Percentiles().p50, 7);  // only the sampled (first of three) remain
}

TEST(PerfStatsTest, NothingRecordedPrintsZeros) {
  PerfStats stats(10, 0, nullptr);
  EXPECT_EQ(stats.TotalLine(0),
            "0 records sent, 0.000000 records/sec (0.00 MB/sec), 0.00 ms avg latency, "
            "0.00 ms max latency, 0 ms 50th, 0 ms 95th, 0 ms 99th, 0 ms 99.9th.");
}

TEST(ThroughputThrottlerTest, NegativeTargetNeverThrottles) {
  ThroughputThrottler t(-1, 0, [](int64_t) -> int64_t {
    ADD_FAILURE();
    return 0;
  });
  EXPECT_FALSE(t.ShouldThrottle(1'000'000'000, 1));
}

TEST(ThroughputThrottlerTest, ThrottlesOnlyAboveTheTarget) {
  ThroughputThrottler t(1000, 0, [](int64_t ns) { return ns; });
  EXPECT_FALSE(t.ShouldThrottle(0, 0));
  EXPECT_TRUE(t.ShouldThrottle(5, 0));  // too many already in the first ms
  EXPECT_FALSE(t.ShouldThrottle(1000, 1000));
  EXPECT_TRUE(t.ShouldThrottle(1001, 1000));
}

TEST(ThroughputThrottlerTest, SleepDebtPaidInTwoMillisecondChunks) {
  std::vector<int64_t> sleeps;
  // 1000/s owes 1 ms per record: every second Throttle() sleeps 2 ms.
  ThroughputThrottler t(1000, 0, [&](int64_t ns) {
    sleeps.push_back(ns);
    return ns + 500'000;  // oversleeps by 0.5 ms
  });
  t.Throttle();
  EXPECT_TRUE(sleeps.empty());
  t.Throttle();
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_EQ(sleeps[0], 2'000'000);
  EXPECT_EQ(t.deficit_ns(), -500'000);  // the oversleep is credited
  t.Throttle();
  t.Throttle();
  EXPECT_EQ(sleeps.size(), 1u);  // 1.5 ms owed: carried
  t.Throttle();
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_EQ(sleeps[1], 2'500'000);
}

}  // namespace
}  // namespace gregor::tools
