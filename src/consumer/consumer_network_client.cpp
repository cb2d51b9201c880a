// SPDX-License-Identifier: Apache-2.0
#include "consumer/consumer_network_client.h"

#include <algorithm>
#include <chrono>

namespace gregor {

void ConsumerNetworkClient::Send(ClientRequest request, Handler handler) {
  ++pending_;
  request.callback = [this, handler = std::move(handler)](ClientResponse r) mutable {
    {
      std::lock_guard lock(mu_);
      completions_.emplace_back(std::move(handler), std::move(r));
    }
    cv_.notify_all();
  };
  network_.Send(std::move(request));
}

ConsumerNetworkClient::PollResult ConsumerNetworkClient::Poll(int64_t timeout_ms,
                                                              const std::function<bool()>& done,
                                                              bool wakeups) {
  const int64_t deadline = clock_.NowMs() + std::max<int64_t>(0, timeout_ms);
  for (;;) {
    if (done && done()) return PollResult::kDone;
    std::deque<std::pair<Handler, ClientResponse>> ready;
    {
      std::unique_lock lock(mu_);
      if (wakeups && wakeup_) {
        wakeup_ = false;
        return PollResult::kWakeup;
      }
      if (completions_.empty() && !notified_) {
        int64_t remaining = deadline - clock_.NowMs();
        if (remaining <= 0) return PollResult::kTimeout;
        cv_.wait_for(lock, std::chrono::milliseconds(remaining),
                     [&] { return !completions_.empty() || notified_ || (wakeups && wakeup_); });
        if (wakeups && wakeup_) {
          wakeup_ = false;
          return PollResult::kWakeup;
        }
      }
      notified_ = false;
      ready.swap(completions_);
    }
    for (auto& [handler, response] : ready) {
      --pending_;
      handler(std::move(response));
    }
    if (done ? done() : !ready.empty()) return PollResult::kDone;
    if (clock_.NowMs() >= deadline) return PollResult::kTimeout;
  }
}

void ConsumerNetworkClient::Wakeup() {
  {
    std::lock_guard lock(mu_);
    wakeup_ = true;
  }
  cv_.notify_all();
}

void ConsumerNetworkClient::Notify() {
  {
    std::lock_guard lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

}  // namespace gregor
