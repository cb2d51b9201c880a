// SPDX-License-Identifier: Apache-2.0
// ConsumerNetworkClient: the consumer's way to the network (Kafka's
// ConsumerNetworkClient). NetworkClient runs its callbacks on its own
// network thread; the consumer's state (SubscriptionState, Fetcher,
// ConsumerCoordinator) lives on the application thread. So Send() takes a
// handler that is not run on the network thread: the response is queued,
// and the handler runs on the application thread inside the next Poll().
// Kafka gets the same effect by having poll() drive the selector.
//
//   app thread: Send(req, handler) ──> NetworkClient ──> network thread
//   network thread: response ──> completions_ (under mu_) ──> notify
//   app thread: Poll(timeout, done) ──> run handlers ──> until done()
//
// Poll() returns when `done()` holds after running handlers, when the
// timeout passes, or when Wakeup() was called (Kafka's WakeupException):
// then the wakeup is consumed and kWakeup returned.
//
// Thread model: Send, Poll, SendNow on the application thread; Wakeup and
// SendOnNetworkThread (the heartbeat thread's path, whose callback runs on
// the network thread) from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

#include "client/network_client.h"
#include "common/clock.h"

namespace gregor {

/// See the file comment.
class ConsumerNetworkClient {
 public:
  enum class PollResult { kDone, kTimeout, kWakeup };
  using Handler = std::function<void(ClientResponse)>;

  /// `network` and `clock` must outlive this object.
  ConsumerNetworkClient(NetworkClient& network, Clock& clock) : network_(network), clock_(clock) {}

  /// Sends `request` (its own callback is replaced); `handler` runs inside
  /// a later Poll() on the calling thread.
  void Send(ClientRequest request, Handler handler);
  /// Sends with the request's callback run on the network thread.
  void SendOnNetworkThread(ClientRequest request) { network_.Send(std::move(request)); }
  /// Runs finished handlers and waits; see the file comment. A null `done`
  /// means: return after the first batch of handlers (or the timeout).
  /// `timeout_ms` 0 runs what is ready and returns.
  PollResult Poll(int64_t timeout_ms, const std::function<bool()>& done = nullptr,
                  bool wakeups = true);
  /// Makes a blocked (or the next) Poll() with wakeups return kWakeup.
  void Wakeup();
  /// Wakes a blocked Poll() without a wakeup status (new work arrived).
  void Notify();
  /// Requests sent through Send() whose handler has not run.
  int pending() const { return pending_; }
  Clock& clock() { return clock_; }

 private:
  NetworkClient& network_;
  Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  std::deque<std::pair<Handler, ClientResponse>> completions_;
  bool wakeup_ = false;
  bool notified_ = false;
  // Only on the application thread:
  int pending_ = 0;
};

}  // namespace gregor
