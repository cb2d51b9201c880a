// SPDX-License-Identifier: Apache-2.0
#include "network/request_handler.h"

#include <chrono>
#include <exception>

#include "common/logging.h"

namespace gregor {

namespace {
// How long an idle handler waits before re-checking for shutdown (Kafka's
// KafkaRequestHandler polls with 300 ms).
constexpr std::chrono::milliseconds kPollTimeout(300);
}  // namespace

RequestHandlerPool::RequestHandlerPool(RequestChannel& channel, RequestHandler& handler,
                                       int num_threads)
    : channel_(channel), handler_(handler), log_(Logger("network")) {
  for (int i = 0; i < std::max(1, num_threads); ++i) {
    threads_.emplace_back([this, i] { Run(i); });
  }
}

RequestHandlerPool::~RequestHandlerPool() { Shutdown(); }

void RequestHandlerPool::Shutdown() {
  if (stopping_.exchange(true)) return;
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

// [handler-loop]
void RequestHandlerPool::Run(int thread_id) {
  log_->debug("io-thread={} started", thread_id);
  while (!stopping_.load()) {
    std::optional<Request> request = channel_.ReceiveRequest(kPollTimeout);
    if (!request) {
      if (channel_.closed()) break;
      continue;
    }
    Request route;  // what a Close response needs if Handle throws
    route.processor_id = request->processor_id;
    route.connection_id = request->connection_id;
    try {
      handler_.Handle(std::move(*request));
    } catch (const std::exception& e) {
      const std::string& conn = route.connection_id;
      log_->error("handler failed: connection={} error={}", conn, e.what());
      channel_.SendResponse(Response::Close(route));
    }
  }
}
// [handler-loop]

}  // namespace gregor
