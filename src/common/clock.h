// SPDX-License-Identifier: Apache-2.0
// Clock: the injectable time source (Kafka's Time / MockTime). Components
// take a Clock& instead of calling the system so tests control time:
// retention by age, segment.ms rolls, and later session timeouts all run in
// a unit test without sleeping.
//
// NowMs() is wall-clock milliseconds since the epoch (record timestamps,
// file ages); NowNs() is monotonic nanoseconds (durations). MockClock keeps
// both under the test's hand; Sleep on a MockClock advances it at once.
// SystemClock is thread-safe; MockClock is too (atomics), so a test thread
// may advance it while a component reads it.
#pragma once

#include <atomic>
#include <cstdint>

namespace gregor {

/// The time source every component takes; see the file comment.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMs() const = 0;
  virtual int64_t NowNs() const = 0;
  virtual void SleepMs(int64_t ms) = 0;
};

/// The real clock: system_clock for NowMs, steady_clock for NowNs.
class SystemClock : public Clock {
 public:
  int64_t NowMs() const override;
  int64_t NowNs() const override;
  void SleepMs(int64_t ms) override;
  /// A process-wide instance for code without an injected clock.
  static SystemClock& Instance();
};

/// A clock that moves only when told to.
class MockClock : public Clock {
 public:
  explicit MockClock(int64_t start_ms = 1'700'000'000'000) : ms_(start_ms), ns_(0) {}
  int64_t NowMs() const override { return ms_.load(); }
  int64_t NowNs() const override { return ns_.load(); }
  void SleepMs(int64_t ms) override { AdvanceMs(ms); }
  void AdvanceMs(int64_t ms) {
    ms_ += ms;
    ns_ += ms * 1'000'000;
  }

 private:
  std::atomic<int64_t> ms_;
  std::atomic<int64_t> ns_;
};

}  // namespace gregor
