// SPDX-License-Identifier: Apache-2.0
// SystemTimer: a Timer (timing_wheel.h) with its own reaper thread, the
// broker's clock for parked requests (Kafka's SystemTimer plus the
// ExpiredOperationReaper of DelayedOperationPurgatory).
//
//   reaper: loop { wait on cv until the earliest bucket expires, an Add
//                  arrives or Shutdown; timer.AdvanceClock(now) }
//
// The reaper sleeps exactly until the next bucket is due (a bucket, not a
// task: one wake-up serves every task of the tick) and at most
// `max_wait_ms` when nothing waits. Each Add wakes it so it can recompute
// the deadline. Expired tasks run on the reaper thread.
//
// Thread-safety: Add and timer() from any thread. The Clock must be a
// real clock: the reaper waits on the condition variable in wall time.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "server/timing_wheel.h"

namespace gregor {

/// A Timer advanced by a background reaper thread; see the file comment.
class SystemTimer {
 public:
  /// Starts the reaper. `clock` outlives the SystemTimer.
  explicit SystemTimer(Clock& clock, int64_t max_wait_ms = 200);
  /// Stops and joins the reaper; tasks still waiting never run.
  ~SystemTimer();
  SystemTimer(const SystemTimer&) = delete;
  SystemTimer& operator=(const SystemTimer&) = delete;

  /// Schedules `task`; see Timer::Add.
  void Add(std::shared_ptr<TimerTask> task) { timer_.Add(std::move(task)); }
  /// The wheel the reaper drives (what a purgatory takes).
  Timer& timer() { return timer_; }
  /// Stops the reaper; idempotent.
  void Shutdown();

 private:
  void ReaperLoop();

  Timer timer_;
  const int64_t max_wait_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  bool stopping_ = false;
  bool added_ = false;  // an Add since the reaper last looked
  std::thread reaper_;  // last: starts after the fields above exist
};

}  // namespace gregor
