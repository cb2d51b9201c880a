// SPDX-License-Identifier: Apache-2.0
// RequestHandler and RequestHandlerPool: the `num.io.threads` threads that
// take requests off the RequestChannel and run the broker's logic (Kafka's
// KafkaRequestHandler, KafkaRequestHandlerPool, and the ApiRequestHandler
// interface that KafkaApis implements).
//
// Contract of a handler: for every Request it is given, exactly one
// Response (Send, NoOp or Close) must eventually reach
// RequestChannel::SendResponse, from this thread or any other and at any
// later time (a fetch parked in a purgatory answers from a timer thread).
// Until then the connection is muted. Handle must return promptly so the
// pool can serve other connections and shut down: never block it on
// network events; park the request instead.
//
// If Handle throws, the pool logs the error and closes the connection
// (a Close response), as Kafka does for a request it cannot process.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "network/request_channel.h"

namespace spdlog {
class logger;
}

namespace gregor {

/// The broker logic behind the network layer (KafkaApis implements it);
/// see the file comment for the response contract.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  /// Handles one request on a request-handler thread. May be called
  /// concurrently from several threads, for different connections.
  virtual void Handle(Request request) = 0;
};

/// `num.io.threads` threads feeding a RequestHandler from a RequestChannel.
class RequestHandlerPool {
 public:
  /// Starts `num_threads` threads at once. `channel` and `handler` must
  /// outlive the pool. REQUIRES: num_threads >= 1.
  RequestHandlerPool(RequestChannel& channel, RequestHandler& handler, int num_threads);
  ~RequestHandlerPool();
  RequestHandlerPool(const RequestHandlerPool&) = delete;
  RequestHandlerPool& operator=(const RequestHandlerPool&) = delete;

  /// Stops taking requests and joins the threads after their current
  /// Handle returns (within the 300 ms poll otherwise). Idempotent.
  void Shutdown();

 private:
  void Run(int thread_id);

  RequestChannel& channel_;
  RequestHandler& handler_;
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;  // written by the constructor and Shutdown only
};

}  // namespace gregor
