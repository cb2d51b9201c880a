// SPDX-License-Identifier: Apache-2.0
// TimingWheel and Timer: the hierarchical timing wheel that expires parked
// requests (Kafka's TimingWheel, TimerTaskList, TimerTask and SystemTimer).
//
// One wheel is a ring of `wheel_size` buckets, each `tick_ms` wide; it
// covers `interval = tick_ms * wheel_size` milliseconds from its current
// time. A task whose deadline is further away goes to an overflow wheel
// whose tick is this wheel's whole interval, created on first use:
//
// [timing-wheel-levels]
//   level 0: tick 1 ms,   20 buckets, covers   20 ms
//   level 1: tick 20 ms,  20 buckets, covers  400 ms
//   level 2: tick 400 ms, 20 buckets, covers 8000 ms   ... and so on
// [timing-wheel-levels]
//
// Add and Cancel are O(1). Buckets, not tasks, go into a priority queue
// ordered by expiration (Kafka's DelayQueue[TimerTaskList]); when the
// clock passes a bucket's expiration the bucket is flushed and every task
// in it is re-added: an overflow bucket's tasks cascade into finer wheels
// until they land in a level-0 bucket or are due, and then they run. The
// queue holds at most one entry per bucket, not per task, so millions of
// waiting requests cost a heap of a few hundred buckets.
//
// Time: the Timer reads the injected Clock's monotonic NowNs() in whole
// milliseconds; nothing advances unless AdvanceClock is called (a test
// with a MockClock calls it itself; SystemTimer's reaper thread calls it
// in the broker).
//
// Thread-safety: a Timer is thread-safe; one mutex guards every wheel,
// bucket and task link (Kafka locks per bucket; one lock is simpler and
// enough for one broker). Tasks run on the thread that calls AdvanceClock
// (or Add, for a task already due), never under the lock, so a task may
// Add or Cancel other tasks.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <vector>

#include "common/clock.h"

namespace gregor {

class Timer;
class TimerTaskList;

/// Work to run once its delay has passed (Kafka's TimerTask). Subclasses
/// implement Run(). A task is added to at most one Timer, once; Cancel()
/// removes it from the wheel so it never runs (a no-op once it has
/// started running). Thread-safe.
class TimerTask {
 public:
  /// `delay_ms` counts from Timer::Add.
  explicit TimerTask(int64_t delay_ms) : delay_ms_(delay_ms) {}
  virtual ~TimerTask() = default;
  TimerTask(const TimerTask&) = delete;
  TimerTask& operator=(const TimerTask&) = delete;

  /// The work; called at most once, without any timer lock held.
  virtual void Run() = 0;
  /// Removes the task from its timer (if added and not yet run).
  void Cancel();
  /// Whether Cancel() was called.
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  int64_t delay_ms() const { return delay_ms_; }

 private:
  friend class Timer;
  friend class TimerTaskList;
  friend class TimingWheel;

  const int64_t delay_ms_;
  std::atomic<bool> cancelled_{false};
  // Set once by Timer::Add, before the task is linked.
  std::atomic<Timer*> timer_{nullptr};
  // Guarded by the timer's mu_:
  int64_t expiration_ms_ = 0;
  TimerTaskList* list_ = nullptr;  // the bucket holding the task, if any
  std::list<std::shared_ptr<TimerTask>>::iterator pos_;
};

/// One bucket of a wheel (Kafka's TimerTaskList): the tasks whose
/// deadlines fall in one tick, and the bucket's expiration (the tick's
/// start, or -1 when the bucket is empty and flushed). Guarded by the
/// owning Timer's mutex; only Timer and TimingWheel use it.
class TimerTaskList {
 public:
  /// Links `task` at the end. REQUIRES: task->list_ == nullptr.
  void Add(std::shared_ptr<TimerTask> task);
  /// Unlinks `task`. REQUIRES: task->list_ == this.
  void Remove(TimerTask* task);
  /// Unlinks every task and resets the expiration to -1; returns them.
  std::vector<std::shared_ptr<TimerTask>> Flush();
  /// Sets the expiration; true if it changed (the bucket must be queued).
  bool SetExpiration(int64_t ms);
  int64_t expiration_ms() const { return expiration_ms_; }

 private:
  std::list<std::shared_ptr<TimerTask>> tasks_;
  int64_t expiration_ms_ = -1;
};

/// The buckets waiting to expire, earliest first (Kafka's DelayQueue).
using BucketQueue =
    std::priority_queue<std::pair<int64_t, TimerTaskList*>,
                        std::vector<std::pair<int64_t, TimerTaskList*>>, std::greater<>>;

/// One level of the hierarchy (Kafka's TimingWheel); see the file comment.
/// Guarded by the owning Timer's mutex.
class TimingWheel {
 public:
  /// REQUIRES: tick_ms >= 1, wheel_size >= 2. `queue` outlives the wheel.
  TimingWheel(int64_t tick_ms, int wheel_size, int64_t start_ms, BucketQueue& queue);

  /// Puts `task` (expiration already set) into its bucket, here or in an
  /// overflow wheel. False when it is already due (within the current
  /// tick) or cancelled: the caller runs or drops it.
  bool Add(const std::shared_ptr<TimerTask>& task);
  /// Moves the current time forward to the tick containing `time_ms`.
  void AdvanceClock(int64_t time_ms);
  int64_t current_time_ms() const { return current_time_ms_; }

 private:
  const int64_t tick_ms_;
  const int wheel_size_;
  const int64_t interval_ms_;
  BucketQueue& queue_;
  std::vector<TimerTaskList> buckets_;  // never resized: pointers are stable
  int64_t current_time_ms_;             // a multiple of tick_ms_
  std::unique_ptr<TimingWheel> overflow_;
};

/// The timer over the wheel hierarchy (Kafka's SystemTimer without its
/// thread): Add tasks, then AdvanceClock(now) to run the due ones. Driven
/// by hand in tests; SystemTimer (system_timer.h) drives it in the broker.
/// Thread-safe; see the file comment.
class Timer {
 public:
  /// `clock` outlives the timer. Kafka's defaults: 1 ms ticks, 20 buckets.
  explicit Timer(Clock& clock, int64_t tick_ms = 1, int wheel_size = 20);
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  /// Schedules `task` at now (rounded up to a whole millisecond, so it
  /// never runs early) + task->delay_ms(); runs it at once, on this
  /// thread, if that is within the current tick. REQUIRES: the task was
  /// never added before. A cancelled task is dropped.
  void Add(std::shared_ptr<TimerTask> task);
  /// Flushes every bucket that expired by `now_ms` (cascading overflow
  /// tasks down) and runs the tasks now due. Returns how many ran.
  size_t AdvanceClock(int64_t now_ms);
  /// AdvanceClock(the clock's now).
  size_t AdvanceClock() { return AdvanceClock(NowMs()); }
  /// The earliest bucket expiration, if any task waits.
  std::optional<int64_t> NextExpirationMs();
  /// Tasks waiting in the wheel.
  size_t size() const;
  /// The clock's monotonic time in milliseconds, the timer's time base.
  int64_t NowMs() const { return clock_.NowNs() / 1'000'000; }
  /// Called after each Add, without the lock (SystemTimer wakes its
  /// reaper: the new task may be due before the one it waits for).
  void SetOnAdd(std::function<void()> on_add);

 private:
  friend class TimerTask;
  /// TimerTask::Cancel: unlinks `task` if it is still waiting.
  void Remove(TimerTask* task);
  /// Adds under the lock; false if due (appended to `due`) or cancelled.
  void AddLocked(const std::shared_ptr<TimerTask>& task,
                 std::vector<std::shared_ptr<TimerTask>>& due);

  Clock& clock_;
  std::function<void()> on_add_;  // set before tasks are added

  mutable std::mutex mu_;
  // Guarded by mu_:
  BucketQueue queue_;
  TimingWheel wheel_;
  size_t size_ = 0;
};

}  // namespace gregor
