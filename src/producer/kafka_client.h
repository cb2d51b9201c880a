// SPDX-License-Identifier: Apache-2.0
// KafkaClient: what the Sender needs from the network (Kafka's KafkaClient
// interface, narrowed to one call). The producer passes a
// NetworkKafkaClient over the real NetworkClient; Sender unit tests pass a
// scripted fake that holds requests and answers them when the test says,
// so retries, expiry and the buffer-reuse race run without sockets or
// sleeping.
#pragma once

#include "client/client_request.h"
#include "client/network_client.h"

namespace gregor {

/// Sends requests; each request's callback runs exactly once, on any
/// thread (client_request.h). Implementations are thread-safe.
class KafkaClient {
 public:
  virtual ~KafkaClient() = default;
  /// Queues `request` for its destination.
  virtual void Send(ClientRequest request) = 0;
};

/// KafkaClient over a NetworkClient (callbacks on its network thread).
class NetworkKafkaClient : public KafkaClient {
 public:
  /// `network` must outlive this object.
  explicit NetworkKafkaClient(NetworkClient& network) : network_(network) {}
  void Send(ClientRequest request) override { network_.Send(std::move(request)); }

 private:
  NetworkClient& network_;
};

}  // namespace gregor
