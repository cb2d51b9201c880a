// SPDX-License-Identifier: Apache-2.0
// Processor: one network thread (`num.network.threads` of them), owning an
// io_context and every connection the Acceptor hands it (Kafka's
// SocketServer.Processor).
//
// Per connection the Processor runs one loop, so a connection has at most
// one request inside the broker and its responses leave in request order:
//
//   read Size:int32 --(0 <= Size <= max)--> read Size bytes --> Request
//     --> RequestChannel::SendRequest, and MUTE (read nothing more)
//   Response arrives (EnqueueResponse, posted from any thread):
//     Send  -> write Size, bytes, then each FileRegion with sendfile(2)
//     NoOp  -> nothing to write (acks=0)
//     Close -> close the connection
//   --> UNMUTE: back to reading the next Size.
//
// A Size below 0 or above `socket.request.max.bytes` is refused before any
// allocation: a warning names the peer and the claimed size, and the
// connection is closed (Kafka's InvalidReceiveException; anchors.md B7).
// A full RequestChannel blocks this thread (back-pressure) until a handler
// takes a request or the channel closes. A connection with nothing in
// flight that completed no request or response for `connections.max.idle.ms`
// (by the injected Clock) is closed.
//
// Thread model: Accept, EnqueueResponse, stats and connection_count may be
// called from any thread; they post into the io_context or read atomics.
// Everything else, and every Connection, is touched only on this
// Processor's thread. Start and Shutdown belong to the SocketServer.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/clock.h"
#include "network/request_channel.h"
#include "network/socket_server_config.h"

namespace spdlog {
class logger;
}

namespace gregor {

/// Counters of the network layer, a snapshot summed over Processors (the
/// raw material of Kafka's RequestsPerSec, BytesIn/OutPerSec metrics).
struct NetworkStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_closed = 0;
  uint64_t requests_received = 0;
  uint64_t bytes_received = 0;  ///< frames including their size prefix
  uint64_t responses_sent = 0;
  uint64_t bytes_sent = 0;      ///< frames including prefix and file regions
  uint64_t frames_refused = 0;  ///< negative or oversize size prefixes

  /// Adds `other` field by field.
  NetworkStats& operator+=(const NetworkStats& other);
};

/// A network thread and its connections; see the file comment.
class Processor {
 public:
  /// `channel` and `clock` must outlive the Processor.
  Processor(int id, const SocketServerConfig& config, RequestChannel& channel, Clock& clock);
  ~Processor();
  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;

  /// Starts the thread. REQUIRES: called once.
  void Start();
  /// Closes every connection, stops and joins the thread. Idempotent; waits
  /// at most a few seconds for the thread before forcing its loop to stop.
  void Shutdown();

  /// The io_context sockets for this Processor are accepted into.
  boost::asio::io_context& io_context() { return io_; }
  /// Adopts an accepted socket of io_context(). Any thread.
  void Accept(boost::asio::ip::tcp::socket socket, std::string listener_name);
  /// Delivers a response for one of this Processor's connections. Any
  /// thread; dropped if the connection is gone.
  void EnqueueResponse(Response response);

  /// This processor's index, carried by its requests.
  int id() const { return id_; }
  /// Open connections. Any thread.
  size_t connection_count() const { return connection_count_.load(); }
  /// A snapshot of the counters. Any thread.
  NetworkStats stats() const;

 private:
  struct Connection;
  using ConnectionPtr = std::shared_ptr<Connection>;

  void AddConnection(boost::asio::ip::tcp::socket socket, std::string listener_name);
  void ReadSize(const ConnectionPtr& conn);
  void OnSize(const ConnectionPtr& conn);
  void OnFrame(const ConnectionPtr& conn);
  void HandleResponse(Response response);
  void StartSend(const ConnectionPtr& conn, Response response);
  void SendFileRegions(const ConnectionPtr& conn);
  void AwaitWritable(const ConnectionPtr& conn);
  void SendfileFailed(const ConnectionPtr& conn, const FileRegion& region, int64_t offset,
                      ssize_t result);
  void FinishSend(const ConnectionPtr& conn);
  void Unmute(const ConnectionPtr& conn);
  void CloseConnection(const ConnectionPtr& conn, const char* reason);
  void CloseAll();
  void ScheduleIdleCheck();

  const int id_;
  const SocketServerConfig config_;
  RequestChannel& channel_;
  Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::atomic<bool> shut_down_{false};
  std::promise<void> exited_;  // set when the thread's loop returns

  // Only on the network thread:
  std::map<std::string, ConnectionPtr> connections_;
  uint64_t next_connection_index_ = 0;
  boost::asio::steady_timer idle_timer_;

  std::atomic<size_t> connection_count_{0};
  struct Counters {
    std::atomic<uint64_t> accepted{0}, closed{0}, requests{0}, bytes_in{0}, responses{0},
        bytes_out{0}, refused{0};
  };
  Counters counters_;  // written on the network thread, read anywhere
};

}  // namespace gregor
