// SPDX-License-Identifier: Apache-2.0
// SocketServer: the broker's network layer assembled (Kafka's SocketServer
// with its data plane): one Acceptor per listener, `num.network.threads`
// Processors, a RequestChannel, and a RequestHandlerPool of
// `num.io.threads` threads feeding a RequestHandler.
//
//   client --TCP--> Acceptor --socket--> Processor --Request--> RequestChannel
//     --> RequestHandlerPool --> RequestHandler::Handle --> ... Response
//     --> RequestChannel::SendResponse --> Processor --TCP--> client
//
// The layer moves size-prefixed frames and knows nothing of Kafka headers;
// it needs no ApiVersions handshake. Guarantees (see Processor): one
// request per connection inside the broker, responses in request order,
// NoOp responses (acks=0) write nothing, oversize or negative frames close
// the connection before allocation.
//
// Lifecycle: construct, build the handler with request_channel(), then
// Startup(handler); BoundPort() reports ports. Shutdown() stops accepting,
// closes the channel (waking any blocked Processor), closes every
// connection, stops the Processors, then joins the handlers after their
// current request; late responses are dropped. Shutdown is idempotent, runs
// from the destructor, and does not hang (every wait is bounded or ended
// by the channel's Close).
//
// Thread model: Startup, Shutdown and the destructor on one owner thread;
// request_channel(), BoundPort() and stats() from any thread after Startup.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/errors.h"
#include "network/acceptor.h"
#include "network/processor.h"
#include "network/request_channel.h"
#include "network/request_handler.h"
#include "network/socket_server_config.h"

namespace gregor {

/// The network layer of a broker; see the file comment.
class SocketServer {
 public:
  /// `clock` stamps requests and drives the idle check; it must outlive
  /// the server.
  explicit SocketServer(SocketServerConfig config, Clock& clock = SystemClock::Instance());
  ~SocketServer();
  SocketServer(const SocketServer&) = delete;
  SocketServer& operator=(const SocketServer&) = delete;

  /// The channel handlers answer through.
  RequestChannel& request_channel() { return channel_; }

  /// Binds every listener and starts the Processors, the handler pool and
  /// the Acceptors. `handler` must outlive Shutdown(). On error nothing is
  /// left running. Errors: INVALID_CONFIG (no listener, a thread count
  /// < 1), NETWORK_EXCEPTION (cannot bind), UNKNOWN_SERVER_ERROR (called
  /// twice).
  Status Startup(RequestHandler& handler);
  /// The port bound for `listener_name`, or -1 if there is no such
  /// listener (or before Startup).
  int BoundPort(const std::string& listener_name = "PLAINTEXT") const;
  /// The addresses bound for `listener_name` (`127.0.0.1:9092`, `[::1]:9092`).
  std::vector<std::string> BoundAddresses(const std::string& listener_name = "PLAINTEXT") const;
  /// Stops everything; see the file comment. Idempotent.
  void Shutdown();

  /// Counters summed over the Processors.
  NetworkStats stats() const;
  /// Open connections over all Processors.
  size_t connection_count() const;

 private:
  const SocketServerConfig config_;
  Clock& clock_;
  RequestChannel channel_;
  // Written by Startup/Shutdown on the owner thread; read-only in between.
  std::vector<std::unique_ptr<Processor>> processors_;
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  std::unique_ptr<RequestHandlerPool> handler_pool_;
  bool started_ = false;
  bool shut_down_ = false;
};

}  // namespace gregor
