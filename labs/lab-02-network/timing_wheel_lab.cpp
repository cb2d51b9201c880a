// SPDX-License-Identifier: Apache-2.0
// Claims of chapter 02, *Purgatory and the timing wheel*: a task runs at
// exactly the millisecond its delay ends, whichever wheel level holds it
// (20 ms, 400 ms, 8 s, 160 s with 1 ms ticks and 20 buckets); overflow
// tasks cascade into finer wheels as time passes; and the timer only has
// to wake when a *bucket* expires, not for every task or every tick.
#include <algorithm>
#include <memory>
#include <vector>

#include "lab02_fixture.h"

namespace gregor::lab02 {
namespace {

// Records the timer's time when it runs.
class Probe : public TimerTask {
 public:
  Probe(int64_t delay_ms, Timer& timer) : TimerTask(delay_ms), timer_(timer) {}
  void Run() override { fired_at = timer_.NowMs(); }
  int64_t fired_at = -1;

 private:
  Timer& timer_;
};

// Deadlines on both sides of every level boundary of a 1 ms x 20 wheel.
const std::vector<int64_t> kDelays = {1,    5,    19,   20,    21,     399,    400,   401,
                                      7999, 8000, 8001, 12345, 159999, 160001, 200000};

std::vector<std::shared_ptr<Probe>> AddAll(Timer& timer) {
  std::vector<std::shared_ptr<Probe>> probes;
  for (int64_t d : kDelays) {
    probes.push_back(std::make_shared<Probe>(d, timer));
    timer.Add(probes.back());
  }
  return probes;
}

// Claim: stepping the clock one millisecond at a time, every task runs at
// start + delay exactly: never early, never a tick late, across overflow
// wheels.
TEST(TimingWheelLab02, TasksFireAtTheirTickAcrossOverflowWheels) {
  MockClock clock;
  Timer timer(clock, /*tick_ms=*/1, /*wheel_size=*/20);
  int64_t start = timer.NowMs();
  auto probes = AddAll(timer);
  EXPECT_EQ(timer.size(), kDelays.size());
  int64_t end = kDelays.back();
  for (int64_t t = 1; t <= end; ++t) {
    clock.AdvanceMs(1);
    timer.AdvanceClock();
  }
  int late = 0;
  for (size_t i = 0; i < probes.size(); ++i) {
    EXPECT_EQ(probes[i]->fired_at, start + kDelays[i]) << "delay " << kDelays[i] << " ms";
    late += probes[i]->fired_at != start + kDelays[i];
  }
  EXPECT_EQ(timer.size(), 0u);
  Banner("%zu tasks, delays 1..%lld ms over 4 wheel levels: %zu ran at their exact ms, %d off",
         probes.size(), (long long)end, probes.size() - size_t(late), late);
}

// Claim: the timer need wake only at bucket expirations (what the
// reaper thread does with NextExpirationMs). Jumping the clock from one
// expiration to the next still runs every task at its deadline, and the
// number of wake-ups is a few per task, not one per millisecond.
TEST(TimingWheelLab02, ReaperWakesOnlyAtBucketExpirations) {
  MockClock clock;
  Timer timer(clock, 1, 20);
  int64_t start = timer.NowMs();
  auto probes = AddAll(timer);
  int wakeups = 0;
  while (auto next = timer.NextExpirationMs()) {
    ASSERT_LT(++wakeups, 1000) << "the queue never drains";
    int64_t now = timer.NowMs();
    if (*next > now) clock.AdvanceMs(*next - now);
    timer.AdvanceClock();
  }
  int exact = 0;
  for (size_t i = 0; i < probes.size(); ++i) {
    EXPECT_EQ(probes[i]->fired_at, start + kDelays[i]) << "delay " << kDelays[i] << " ms";
    exact += probes[i]->fired_at == start + kDelays[i];
  }
  EXPECT_LE(wakeups, int(3 * kDelays.size()));
  Banner("%zu tasks over %lld ms: %d wake-ups at bucket expirations (not %lld ticks), %d exact",
         probes.size(), (long long)kDelays.back(), wakeups, (long long)kDelays.back(), exact);
}

// Claim: Cancel unlinks a waiting task in O(1); it never runs, and the
// others still run on time.
TEST(TimingWheelLab02, CancelledTaskNeverRuns) {
  MockClock clock;
  Timer timer(clock, 1, 20);
  int64_t start = timer.NowMs();
  auto keep = std::make_shared<Probe>(500, timer);
  auto drop = std::make_shared<Probe>(500, timer);
  timer.Add(keep);
  timer.Add(drop);
  ASSERT_EQ(timer.size(), 2u);
  drop->Cancel();
  EXPECT_EQ(timer.size(), 1u);
  for (int t = 0; t < 600; ++t) {
    clock.AdvanceMs(1);
    timer.AdvanceClock();
  }
  EXPECT_EQ(keep->fired_at, start + 500);
  EXPECT_EQ(drop->fired_at, -1);
  Banner("two 500 ms tasks, one cancelled: kept ran at %lld ms, cancelled ran: %s",
         (long long)keep->fired_at, drop->fired_at < 0 ? "never" : "yes");
}

}  // namespace
}  // namespace gregor::lab02
