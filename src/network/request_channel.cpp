// SPDX-License-Identifier: Apache-2.0
#include "network/request_channel.h"

#include <utility>

namespace gregor {

RequestChannel::RequestChannel(size_t queue_size) : capacity_(queue_size == 0 ? 1 : queue_size) {}

// [request-channel-send]
bool RequestChannel::SendRequest(Request request) {
  std::unique_lock lock(mu_);
  // A full queue stops this network thread: back-pressure to the sockets.
  not_full_.wait(lock, [&] { return closed_ || queue_.size() < capacity_; });
  if (closed_) return false;
  queue_.push_back(std::move(request));
  not_empty_.notify_one();
  return true;
}
// [request-channel-send]

std::optional<Request> RequestChannel::ReceiveRequest(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!not_empty_.wait_for(lock, timeout, [&] { return closed_ || !queue_.empty(); })) {
    return std::nullopt;
  }
  if (closed_) return std::nullopt;
  Request request = std::move(queue_.front());
  queue_.pop_front();
  not_full_.notify_one();
  return request;
}

bool RequestChannel::SendResponse(Response response) {
  std::lock_guard lock(sinks_mu_);
  auto it = sinks_.find(response.processor_id);
  if (it == sinks_.end()) return false;
  it->second(std::move(response));
  return true;
}

void RequestChannel::AddProcessor(int id, ResponseSink sink) {
  std::lock_guard lock(sinks_mu_);
  sinks_[id] = std::move(sink);
}

void RequestChannel::RemoveProcessor(int id) {
  std::lock_guard lock(sinks_mu_);
  sinks_.erase(id);
}

void RequestChannel::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  queue_.clear();
  not_empty_.notify_all();
  not_full_.notify_all();
}

bool RequestChannel::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

size_t RequestChannel::queue_size() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

}  // namespace gregor
