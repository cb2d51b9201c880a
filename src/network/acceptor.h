// SPDX-License-Identifier: Apache-2.0
// Acceptor: the thread that accepts connections on one listener and deals
// them round-robin to the Processors (Kafka's SocketServer.Acceptor).
//
// A listener may need several sockets: "localhost" binds 127.0.0.1 and ::1
// (an IPv6 socket with IPV6_V6ONLY, so both can share the port), "" binds
// the dual-stack wildcard "::" (0.0.0.0 on a host without IPv6). With port
// 0 the first socket gets a port from the kernel and the others bind the
// same one; bound_port() tells it. Every socket sets SO_REUSEADDR so a
// restarted broker can bind while old connections sit in TIME_WAIT.
// Missing IPv6 is tolerated for "localhost" and "" (logged at info);
// any other bind failure fails Bind().
//
// Each accept is armed on the io_context of the next Processor, so the
// accepted socket already belongs to the thread that will serve it.
//
// Thread model: Bind, Start and Shutdown are called by the SocketServer
// (one thread); the accept loop runs on the Acceptor's own thread.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "common/errors.h"
#include "network/processor.h"

namespace gregor {

/// Accepts on one listener and hands sockets to Processors; see the file
/// comment.
class Acceptor {
 public:
  /// REQUIRES: `processors` is non-empty and outlives the Acceptor.
  Acceptor(EndPoint endpoint, const SocketServerConfig& config, std::vector<Processor*> processors);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  /// Opens, binds and listens on every address of the endpoint's host.
  /// Errors: NETWORK_EXCEPTION (cannot resolve or bind), with the address.
  Status Bind();
  /// The port bound (the kernel's choice when the configured port was 0).
  /// REQUIRES: Bind() succeeded.
  uint16_t bound_port() const { return bound_port_; }
  /// The addresses bound, as `address:port`, for logs and tests.
  std::vector<std::string> bound_addresses() const;
  /// The listener this Acceptor serves.
  const EndPoint& endpoint() const { return endpoint_; }

  /// Starts the accept thread. REQUIRES: Bind() succeeded; called once.
  void Start();
  /// Closes the listening sockets and joins the thread. Idempotent.
  void Shutdown();

 private:
  void AcceptNext(size_t index);
  void OnAccepted(size_t index, Processor* processor, const boost::system::error_code& ec,
                  boost::asio::ip::tcp::socket socket);

  const EndPoint endpoint_;
  const SocketServerConfig config_;
  const std::vector<Processor*> processors_;
  std::shared_ptr<spdlog::logger> log_;

  boost::asio::io_context io_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> sockets_;
  uint16_t bound_port_ = 0;
  std::thread thread_;
  std::promise<void> exited_;
  std::atomic<bool> shut_down_{false};

  // Only on the accept thread:
  size_t next_processor_ = 0;
  std::optional<boost::asio::steady_timer> retry_timer_;
};

}  // namespace gregor
