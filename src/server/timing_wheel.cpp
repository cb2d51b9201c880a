// SPDX-License-Identifier: Apache-2.0
#include "server/timing_wheel.h"

namespace gregor {

void TimerTask::Cancel() {
  cancelled_.store(true, std::memory_order_release);
  if (Timer* timer = timer_.load(std::memory_order_acquire)) timer->Remove(this);
}

void TimerTaskList::Add(std::shared_ptr<TimerTask> task) {
  TimerTask* t = task.get();
  tasks_.push_back(std::move(task));
  t->list_ = this;
  t->pos_ = std::prev(tasks_.end());
}

void TimerTaskList::Remove(TimerTask* task) {
  task->list_ = nullptr;
  tasks_.erase(task->pos_);  // may drop the last reference: touch nothing after
}

std::vector<std::shared_ptr<TimerTask>> TimerTaskList::Flush() {
  std::vector<std::shared_ptr<TimerTask>> out;
  out.reserve(tasks_.size());
  for (auto& t : tasks_) {
    t->list_ = nullptr;
    out.push_back(std::move(t));
  }
  tasks_.clear();
  expiration_ms_ = -1;
  return out;
}

bool TimerTaskList::SetExpiration(int64_t ms) {
  if (expiration_ms_ == ms) return false;
  expiration_ms_ = ms;
  return true;
}

TimingWheel::TimingWheel(int64_t tick_ms, int wheel_size, int64_t start_ms, BucketQueue& queue)
    : tick_ms_(tick_ms),
      wheel_size_(wheel_size),
      interval_ms_(tick_ms * wheel_size),
      queue_(queue),
      buckets_(size_t(wheel_size)),
      current_time_ms_(start_ms - start_ms % tick_ms) {}

// [timing-wheel-add]
bool TimingWheel::Add(const std::shared_ptr<TimerTask>& task) {
  // LAB-02: BEGIN SOLUTION TimingWheel::Add
  // HINT: false if cancelled or due (expiration before current + tick);
  // HINT: if it falls within this wheel's interval, bucket it by
  // HINT: (expiration / tick_ms_) % wheel_size_ and queue the bucket when
  // HINT: SetExpiration(tick start) says its expiration changed;
  // HINT: otherwise hand it to the overflow wheel (tick = interval_ms_),
  // HINT: creating it at current_time_ms_ on first use.
  int64_t expiration = task->expiration_ms_;
  if (task->cancelled()) return false;
  if (expiration < current_time_ms_ + tick_ms_) return false;  // due
  if (expiration < current_time_ms_ + interval_ms_) {
    // Fits this wheel: bucket by the tick the deadline falls in.
    int64_t virtual_id = expiration / tick_ms_;
    TimerTaskList& bucket = buckets_[size_t(virtual_id % wheel_size_)];
    bucket.Add(task);
    // A bucket is reused once per revolution; queue it again when its
    // expiration changes (it was flushed, so it is not in the queue).
    if (bucket.SetExpiration(virtual_id * tick_ms_)) {
      queue_.emplace(bucket.expiration_ms(), &bucket);
    }
    return true;
  }
  if (!overflow_) {
    overflow_ = std::make_unique<TimingWheel>(interval_ms_, wheel_size_, current_time_ms_, queue_);
  }
  return overflow_->Add(task);
  // LAB-02: END SOLUTION
}
// [timing-wheel-add]

void TimingWheel::AdvanceClock(int64_t time_ms) {
  if (time_ms < current_time_ms_ + tick_ms_) return;
  current_time_ms_ = time_ms - time_ms % tick_ms_;
  if (overflow_) overflow_->AdvanceClock(current_time_ms_);
}

Timer::Timer(Clock& clock, int64_t tick_ms, int wheel_size)
    : clock_(clock), wheel_(tick_ms, wheel_size, NowMs(), queue_) {}

void Timer::SetOnAdd(std::function<void()> on_add) { on_add_ = std::move(on_add); }

void Timer::AddLocked(const std::shared_ptr<TimerTask>& task,
                      std::vector<std::shared_ptr<TimerTask>>& due) {
  if (wheel_.Add(task)) {
    ++size_;
  } else if (!task->cancelled()) {
    due.push_back(task);
  }
}

void Timer::Add(std::shared_ptr<TimerTask> task) {
  std::vector<std::shared_ptr<TimerTask>> due;
  {
    std::lock_guard lock(mu_);
    task->timer_.store(this, std::memory_order_release);
    // Round now up to the next whole millisecond: a task never runs before
    // its full delay has passed (a 300 ms long poll waits >= 300 ms).
    task->expiration_ms_ = (clock_.NowNs() + 999'999) / 1'000'000 + task->delay_ms();
    AddLocked(task, due);
  }
  for (auto& t : due) t->Run();
  if (on_add_) on_add_();
}

// [timer-advance-clock]
size_t Timer::AdvanceClock(int64_t now_ms) {
  std::vector<std::shared_ptr<TimerTask>> due;
  {
    std::lock_guard lock(mu_);
    while (!queue_.empty() && queue_.top().first <= now_ms) {
      auto [expiration, bucket] = queue_.top();
      queue_.pop();
      if (bucket->expiration_ms() != expiration) continue;  // stale entry
      wheel_.AdvanceClock(expiration);
      auto tasks = bucket->Flush();
      size_ -= tasks.size();
      // Re-adding cascades overflow tasks into finer wheels; the due ones
      // come back false and run below, outside the lock.
      for (auto& t : tasks) AddLocked(t, due);
    }
  }
  for (auto& t : due) t->Run();
  return due.size();
}
// [timer-advance-clock]

std::optional<int64_t> Timer::NextExpirationMs() {
  std::lock_guard lock(mu_);
  while (!queue_.empty() && queue_.top().second->expiration_ms() != queue_.top().first) {
    queue_.pop();  // stale
  }
  if (queue_.empty()) return std::nullopt;
  return queue_.top().first;
}

size_t Timer::size() const {
  std::lock_guard lock(mu_);
  return size_;
}

void Timer::Remove(TimerTask* task) {
  std::lock_guard lock(mu_);
  if (task->list_ == nullptr) return;  // not added yet, already run or flushed
  --size_;
  task->list_->Remove(task);
}

}  // namespace gregor
