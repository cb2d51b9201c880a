// SPDX-License-Identifier: Apache-2.0
// RequestChannel: the hand-off between the network threads and the request
// handlers (Kafka's RequestChannel).
//
//   Processor --SendRequest--> [bounded queue] --ReceiveRequest--> handler
//   handler/any thread --SendResponse--> owning Processor's sink
//
// The request queue holds at most `queued.max.requests`; a Processor that
// finds it full blocks in SendRequest, so a slow broker stops reading
// sockets instead of buffering without bound. Responses are not queued
// here: SendResponse hands each one to the sink registered for its
// processor id, which posts it into that Processor's io_context. A
// response for a processor that is gone (after shutdown) is dropped.
//
// Close() ends the channel: blocked and later SendRequest calls return
// false, ReceiveRequest returns nullopt at once, queued requests are
// discarded. Every wait has a timeout or ends at Close().
//
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "network/request.h"

namespace gregor {

/// The bounded request queue and the response router; see the file comment.
class RequestChannel {
 public:
  /// Where a Processor receives its responses; must not block (it posts).
  using ResponseSink = std::function<void(Response)>;

  /// REQUIRES: queue_size >= 1 (`queued.max.requests`).
  explicit RequestChannel(size_t queue_size);
  RequestChannel(const RequestChannel&) = delete;
  RequestChannel& operator=(const RequestChannel&) = delete;

  /// Queues a request, blocking while the queue is full. Returns false
  /// (and drops the request) if the channel is or becomes closed.
  bool SendRequest(Request request);
  /// The oldest request, waiting up to `timeout`; nullopt on timeout or
  /// when closed.
  std::optional<Request> ReceiveRequest(std::chrono::milliseconds timeout);

  /// Routes a response to its Processor. Called exactly once per request
  /// by whoever answers it, from any thread. Returns false if there is no
  /// such processor (the response is dropped).
  bool SendResponse(Response response);

  /// Registers / removes the sink of processor `id`. After RemoveProcessor
  /// returns, the sink is never called again.
  ///@{
  void AddProcessor(int id, ResponseSink sink);
  void RemoveProcessor(int id);
  ///@}

  /// Closes the channel; see the file comment. Idempotent.
  void Close();
  /// Whether Close() has been called.
  bool closed() const;
  /// Requests waiting for a handler.
  size_t queue_size() const;

 private:
  const size_t capacity_;

  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  // Guarded by mu_:
  std::deque<Request> queue_;
  bool closed_ = false;

  // Guarded by sinks_mu_ (held while a sink runs, so RemoveProcessor waits
  // out a concurrent SendResponse; sinks only post and never block):
  mutable std::mutex sinks_mu_;
  std::map<int, ResponseSink> sinks_;
};

}  // namespace gregor
