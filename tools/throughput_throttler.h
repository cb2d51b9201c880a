// SPDX-License-Identifier: Apache-2.0
// ThroughputThrottler: holds a send loop to about a target rate (Kafka's
// ThroughputThrottler, used by gregor-producer-perf-test --throughput).
//
//   ThroughputThrottler t(target_per_sec, start_ms);
//   for (i = 0; i < n; ++i) {
//     Send(...);
//     if (t.ShouldThrottle(i, now_ms)) t.Throttle();
//   }
//
// The loop is too fast when records-so-far exceeds target x seconds since
// the start (so already within the first millisecond, where Kafka's
// records / seconds is undefined and never throttles). Each Throttle()
// then owes 1/target seconds of sleep; the debt accumulates and is paid
// only once it reaches kMinSleepNs, because a sleep shorter than that
// costs more in timer slack than it is worth. The time actually slept
// (which may be longer than asked) is what is paid off, so oversleeping
// once shortens the next sleeps.
//
// A negative target disables throttling (ShouldThrottle is always false).
// The sleep is injected so a test can count it instead of waiting.
// Not thread-safe: the one sending thread owns it.
#pragma once

#include <cstdint>
#include <functional>

namespace gregor::tools {

/// See the file comment.
class ThroughputThrottler {
 public:
  /// Sleeps about `ns` and returns the nanoseconds actually slept.
  using SleepFn = std::function<int64_t(int64_t ns)>;
  /// Sleep debt below this is carried, not slept (2 ms, as Kafka).
  static constexpr int64_t kMinSleepNs = 2'000'000;

  /// REQUIRES: target_per_sec != 0 (negative: unthrottled). `sleep` defaults
  /// to a real sleep on the steady clock.
  ThroughputThrottler(double target_per_sec, int64_t start_ms, SleepFn sleep = nullptr);

  /// True when `sent_so_far` records by `now_ms` exceed the target rate.
  bool ShouldThrottle(int64_t sent_so_far, int64_t now_ms) const;
  /// Adds one record's worth of sleep debt; sleeps when it reaches kMinSleepNs.
  void Throttle();

  /// Sleep debt carried, in ns (for tests).
  int64_t deficit_ns() const { return deficit_ns_; }

 private:
  const double target_per_sec_;
  const int64_t start_ms_;
  const int64_t ns_per_record_;
  SleepFn sleep_;
  int64_t deficit_ns_ = 0;
};

}  // namespace gregor::tools
