// SPDX-License-Identifier: Apache-2.0
// SocketServerConfig: the network layer's settings, under Kafka's property
// names and with Kafka's defaults (SocketServerConfigs, KafkaConfig). The
// configuration registry of a later chapter fills it from server.properties.
#pragma once

#include <cstdint>
#include <vector>

#include "network/end_point.h"

namespace gregor {

/// Settings of SocketServer, each named after its Kafka property.
struct SocketServerConfig {
  /// `listeners`: where to accept connections (at least one).
  std::vector<EndPoint> listeners = {EndPoint{"PLAINTEXT", "", 9092}};
  /// `num.network.threads`: Processors, each one thread and one io_context.
  int num_network_threads = 3;
  /// `num.io.threads`: request-handler threads (RequestHandlerPool).
  int num_io_threads = 8;
  /// `queued.max.requests`: capacity of the RequestChannel queue; a full
  /// queue blocks the Processors, which is the broker's back-pressure.
  int queued_max_requests = 500;
  /// `socket.request.max.bytes`: the largest frame accepted; a larger or
  /// negative size prefix closes the connection before any allocation.
  int32_t socket_request_max_bytes = 100 * 1024 * 1024;
  /// `connections.max.idle.ms`: a connection with nothing in flight and no
  /// traffic for this long is closed; <= 0 disables the check.
  int64_t connections_max_idle_ms = 10 * 60 * 1000;
  /// `socket.listen.backlog.size`.
  int socket_listen_backlog_size = 50;
  /// `socket.send.buffer.bytes` / `socket.receive.buffer.bytes`; -1 keeps
  /// the OS default.
  ///@{
  int socket_send_buffer_bytes = 100 * 1024;
  int socket_receive_buffer_bytes = 100 * 1024;
  ///@}
};

}  // namespace gregor
