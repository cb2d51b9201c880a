// SPDX-License-Identifier: Apache-2.0
// ThroughputThrottler: see throughput_throttler.h.
#include "throughput_throttler.h"

#include <chrono>
#include <thread>

namespace gregor::tools {

namespace {

int64_t RealSleep(int64_t ns) {
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::nanoseconds(ns));
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              start)
      .count();
}

}  // namespace

ThroughputThrottler::ThroughputThrottler(double target_per_sec, int64_t start_ms, SleepFn sleep)
    : target_per_sec_(target_per_sec),
      start_ms_(start_ms),
      ns_per_record_(target_per_sec > 0 ? int64_t(1e9 / target_per_sec) : 0),
      sleep_(sleep ? std::move(sleep) : SleepFn(RealSleep)) {}

bool ThroughputThrottler::ShouldThrottle(int64_t sent_so_far, int64_t now_ms) const {
  if (target_per_sec_ < 0) return false;
  // sent / elapsed > target, multiplied out: Kafka's division skips the
  // first millisecond (elapsed 0), in which a fast producer can send
  // thousands of records unthrottled.
  return double(sent_so_far) > target_per_sec_ * double(now_ms - start_ms_) / 1000.0;
}

void ThroughputThrottler::Throttle() {
  deficit_ns_ += ns_per_record_;
  if (deficit_ns_ >= kMinSleepNs) deficit_ns_ -= sleep_(deficit_ns_);
}

}  // namespace gregor::tools
