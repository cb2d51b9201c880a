// SPDX-License-Identifier: Apache-2.0
#include "server/system_timer.h"

#include <algorithm>
#include <chrono>

namespace gregor {

SystemTimer::SystemTimer(Clock& clock, int64_t max_wait_ms)
    : timer_(clock), max_wait_ms_(max_wait_ms) {
  timer_.SetOnAdd([this] {
    {
      std::lock_guard lock(mu_);
      added_ = true;
    }
    cv_.notify_one();
  });
  reaper_ = std::thread([this] { ReaperLoop(); });
}

SystemTimer::~SystemTimer() { Shutdown(); }

void SystemTimer::Shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (reaper_.joinable()) reaper_.join();
}

// [system-timer-reaper]
void SystemTimer::ReaperLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    int64_t wait_ms = max_wait_ms_;
    if (auto next = timer_.NextExpirationMs()) {
      wait_ms = std::clamp<int64_t>(*next - timer_.NowMs(), 0, max_wait_ms_);
    }
    if (wait_ms > 0) {
      cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                   [this] { return stopping_ || added_; });
    }
    added_ = false;
    if (stopping_) break;
    lock.unlock();
    timer_.AdvanceClock();  // runs the due tasks on this thread
    lock.lock();
  }
}
// [system-timer-reaper]

}  // namespace gregor
