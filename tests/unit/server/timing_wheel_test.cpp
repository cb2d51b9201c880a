// SPDX-License-Identifier: Apache-2.0
// Timer over the hierarchical timing wheel, driven by a MockClock: tasks
// fire at their tick (also from overflow wheels), cancel, many tasks.
#include "server/timing_wheel.h"

#include <gtest/gtest.h>

#include <random>

namespace gregor {
namespace {

// Records the timer time at which it ran.
class RecordingTask : public TimerTask {
 public:
  RecordingTask(int64_t delay_ms, const Timer& timer) : TimerTask(delay_ms), timer_(timer) {}
  void Run() override {
    ++runs;
    ran_at = timer_.NowMs();
  }
  int runs = 0;
  int64_t ran_at = -1;

 private:
  const Timer& timer_;
};

class TimingWheelTest : public ::testing::Test {
 protected:
  std::shared_ptr<RecordingTask> Add(int64_t delay_ms) {
    auto t = std::make_shared<RecordingTask>(delay_ms, timer_);
    timer_.Add(t);
    return t;
  }
  // Advances the mock clock one millisecond at a time, like a reaper.
  void AdvanceTo(int64_t ms) {
    while (timer_.NowMs() < ms) {
      clock_.AdvanceMs(1);
      timer_.AdvanceClock();
    }
  }
  int64_t Start() const { return start_; }

  MockClock clock_;
  Timer timer_{clock_};
  int64_t start_ = timer_.NowMs();
};

TEST_F(TimingWheelTest, TaskFiresAtItsTickNotBefore) {
  auto t = Add(5);
  AdvanceTo(Start() + 4);
  EXPECT_EQ(t->runs, 0);
  AdvanceTo(Start() + 5);
  EXPECT_EQ(t->runs, 1);
  EXPECT_EQ(t->ran_at, Start() + 5);
  EXPECT_EQ(timer_.size(), 0u);
}

TEST_F(TimingWheelTest, ZeroDelayRunsAtOnceInAdd) {
  auto t = Add(0);
  EXPECT_EQ(t->runs, 1);
  EXPECT_EQ(timer_.size(), 0u);
}

TEST_F(TimingWheelTest, TasksBeyondTheFirstWheelCascadeThroughOverflowWheels) {
  // 20 ms per level-0 revolution, 400 ms level 1, 8000 ms level 2.
  std::vector<int64_t> delays = {19, 20, 21, 399, 400, 401, 500, 7999, 8000, 8001, 20000};
  std::vector<std::shared_ptr<RecordingTask>> tasks;
  for (int64_t d : delays) tasks.push_back(Add(d));
  EXPECT_EQ(timer_.size(), delays.size());
  AdvanceTo(Start() + 20001);
  for (size_t i = 0; i < delays.size(); ++i) {
    EXPECT_EQ(tasks[i]->runs, 1) << delays[i];
    EXPECT_EQ(tasks[i]->ran_at, Start() + delays[i]) << delays[i];
  }
}

TEST_F(TimingWheelTest, JumpingTheClockRunsEverythingDueInOneCall) {
  auto a = Add(3), b = Add(450), c = Add(9000);
  clock_.AdvanceMs(10'000);
  EXPECT_EQ(timer_.AdvanceClock(), 3u);
  EXPECT_EQ(a->runs + b->runs + c->runs, 3);
}

TEST_F(TimingWheelTest, CancelledTaskNeverRuns) {
  auto t = Add(500);
  t->Cancel();
  EXPECT_EQ(timer_.size(), 0u);
  AdvanceTo(Start() + 600);
  EXPECT_EQ(t->runs, 0);
}

TEST_F(TimingWheelTest, CancelAfterCascadeStillRemoves) {
  auto t = Add(450);  // level 1 first, then cascades into level 0
  AdvanceTo(Start() + 440);
  EXPECT_EQ(timer_.size(), 1u);
  t->Cancel();
  EXPECT_EQ(timer_.size(), 0u);
  AdvanceTo(Start() + 500);
  EXPECT_EQ(t->runs, 0);
}

TEST_F(TimingWheelTest, NextExpirationIsTheEarliestBucket) {
  EXPECT_FALSE(timer_.NextExpirationMs());
  Add(300);
  Add(7);
  ASSERT_TRUE(timer_.NextExpirationMs());
  EXPECT_EQ(*timer_.NextExpirationMs(), Start() + 7);
}

TEST_F(TimingWheelTest, ManyRandomTasksEachRunOnceAtTheirDeadline) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int64_t> delay(1, 5000);  // 0 would run in Add
  std::vector<std::shared_ptr<RecordingTask>> tasks;
  for (int i = 0; i < 10'000; ++i) tasks.push_back(Add(delay(rng)));
  for (int i = 0; i < 10'000; i += 3) tasks[size_t(i)]->Cancel();
  AdvanceTo(Start() + 5001);
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (i % 3 == 0) {
      EXPECT_EQ(tasks[i]->runs, 0);
    } else {
      ASSERT_EQ(tasks[i]->runs, 1) << i;
      EXPECT_EQ(tasks[i]->ran_at, Start() + tasks[i]->delay_ms()) << i;
    }
  }
  EXPECT_EQ(timer_.size(), 0u);
}

}  // namespace
}  // namespace gregor
