// SPDX-License-Identifier: Apache-2.0
#include "common/clock.h"

#include <gtest/gtest.h>

namespace gregor {
namespace {

TEST(MockClockTest, MovesOnlyWhenTold) {
  MockClock clock(1000);
  EXPECT_EQ(clock.NowMs(), 1000);
  EXPECT_EQ(clock.NowMs(), 1000);
  clock.AdvanceMs(250);
  EXPECT_EQ(clock.NowMs(), 1250);
  EXPECT_EQ(clock.NowNs(), 250'000'000);
  clock.SleepMs(50);  // a sleep on the mock advances it at once
  EXPECT_EQ(clock.NowMs(), 1300);
}

TEST(SystemClockTest, MonotonicNanosDoNotGoBack) {
  auto& c = SystemClock::Instance();
  int64_t a = c.NowNs(), b = c.NowNs();
  EXPECT_LE(a, b);
  EXPECT_GT(c.NowMs(), 1'600'000'000'000);  // after 2020: a wall clock
}

}  // namespace
}  // namespace gregor
