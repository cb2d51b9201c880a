// SPDX-License-Identifier: Apache-2.0
#include "network/socket_server.h"

#include <csignal>
#include <utility>

#include "common/logging.h"

namespace gregor {

SocketServer::SocketServer(SocketServerConfig config, Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      channel_(size_t(std::max(1, config_.queued_max_requests))) {}

SocketServer::~SocketServer() { Shutdown(); }

Status SocketServer::Startup(RequestHandler& handler) {
  if (started_) return Status(ErrorCode::kUnknownServerError, "SocketServer already started");
  if (config_.listeners.empty() || config_.num_network_threads < 1 || config_.num_io_threads < 1) {
    return Status(ErrorCode::kInvalidConfig,
                  "need listeners, num.network.threads >= 1 and num.io.threads >= 1");
  }
  started_ = true;
  // sendfile(2) has no MSG_NOSIGNAL: a client that closes while a Fetch
  // response is still being spliced (kcat -e does) would raise SIGPIPE and
  // kill the broker. Ignored process-wide, as the JVM does; the write then
  // fails with EPIPE and only that connection is closed.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<Processor*> raw;
  for (int i = 0; i < config_.num_network_threads; ++i) {
    auto p = std::make_unique<Processor>(i, config_, channel_, clock_);
    Processor* ptr = p.get();
    channel_.AddProcessor(i, [ptr](Response r) { ptr->EnqueueResponse(std::move(r)); });
    raw.push_back(ptr);
    processors_.push_back(std::move(p));
  }
  for (const EndPoint& ep : config_.listeners) {
    auto acceptor = std::make_unique<Acceptor>(ep, config_, raw);
    Status s = acceptor->Bind();
    acceptors_.push_back(std::move(acceptor));
    if (!s.ok()) {
      Shutdown();
      return s;
    }
  }
  // [socket-server-startup]
  for (auto& p : processors_) p->Start();
  int io_threads = config_.num_io_threads;
  handler_pool_.reset(new RequestHandlerPool(channel_, handler, io_threads));
  // Last: from here on requests flow.
  for (auto& a : acceptors_) a->Start();
  // [socket-server-startup]
  return Status::Ok();
}

int SocketServer::BoundPort(const std::string& listener_name) const {
  for (const auto& a : acceptors_) {
    if (a->endpoint().listener_name == listener_name) return a->bound_port();
  }
  return -1;
}

std::vector<std::string> SocketServer::BoundAddresses(const std::string& listener_name) const {
  for (const auto& a : acceptors_) {
    if (a->endpoint().listener_name == listener_name) return a->bound_addresses();
  }
  return {};
}

// [socket-server-shutdown]
void SocketServer::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  // No new connections.
  for (auto& a : acceptors_) a->Shutdown();
  // Wakes a Processor blocked on a full queue.
  channel_.Close();
  for (auto& p : processors_) {
    // Closes its connections and joins its thread;
    // responses that come later are dropped.
    p->Shutdown();
    channel_.RemoveProcessor(p->id());
  }
  // Each handler finishes its current request.
  if (handler_pool_) handler_pool_->Shutdown();
}
// [socket-server-shutdown]

NetworkStats SocketServer::stats() const {
  NetworkStats total;
  for (const auto& p : processors_) total += p->stats();
  return total;
}

size_t SocketServer::connection_count() const {
  size_t n = 0;
  for (const auto& p : processors_) n += p->connection_count();
  return n;
}

}  // namespace gregor
