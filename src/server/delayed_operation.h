// SPDX-License-Identifier: Apache-2.0
// DelayedOperation: a request that cannot be answered yet and waits in a
// purgatory (Kafka's DelayedOperation). A Fetch waiting for min_bytes is
// one (DelayedFetch); acks=all Produce and JoinGroup will be others.
//
// An operation ends exactly once, in one of two ways:
//   - completion: TryComplete() finds its condition met and calls
//     ForceComplete(); or
//   - expiration: its delay passes, the timer runs it, Run() calls
//     ForceComplete() and then OnExpiration().
// ForceComplete() is the single gate: an atomic flag lets exactly one
// caller through, which cancels the timer task and calls OnComplete()
// (where the response is sent). Every other caller gets false.
//
//   TryComplete (purgatory, on new data)  --+
//                                           +--> ForceComplete --> OnComplete
//   Run (timer, at the deadline) ------------+                 (once)
//
// Thread-safety: TryComplete is called through SafeTryComplete, which
// holds the operation's own lock, so a subclass's TryComplete never runs
// twice at once; ForceComplete may race with it from the timer thread and
// the flag settles the race. OnComplete runs on whichever thread won.
#pragma once

#include <atomic>
#include <mutex>

#include "server/timing_wheel.h"

namespace gregor {

/// A request parked until a condition holds or a delay passes; see the
/// file comment.
class DelayedOperation : public TimerTask {
 public:
  /// Expires `delay_ms` after it is added to a purgatory's timer.
  explicit DelayedOperation(int64_t delay_ms) : TimerTask(delay_ms) {}

  /// Completes the operation if nobody has: cancels the timer task and
  /// calls OnComplete(). True only for the one caller that completed it.
  bool ForceComplete();
  /// Whether ForceComplete has succeeded (on any thread).
  bool IsCompleted() const { return completed_.load(std::memory_order_acquire); }
  /// TryComplete() under the operation's lock. True if this call
  /// completed it.
  bool SafeTryComplete();

  /// Checks the condition; if met, returns ForceComplete(). Otherwise
  /// false. Called under the operation's lock (SafeTryComplete).
  virtual bool TryComplete() = 0;
  /// The operation's effect (send the response). Called exactly once.
  virtual void OnComplete() = 0;
  /// Called after OnComplete when the delay ran out (metrics, logs).
  virtual void OnExpiration() {}

  /// The timer's entry point at the deadline.
  void Run() final;

 private:
  std::atomic<bool> completed_{false};
  std::mutex mu_;  // serializes TryComplete
};

}  // namespace gregor
