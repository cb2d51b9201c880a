// SPDX-License-Identifier: Apache-2.0
// Node: where a broker listens (Kafka's org.apache.kafka.common.Node), and
// the parsing of bootstrap.servers.
//
// Brokers learned from a Metadata response carry their node.id (>= 0).
// Bootstrap servers are not known by id yet; as in Kafka they get the
// negative ids -1, -2, ... in the order they were listed, so a NetworkClient
// can key every connection by an int32.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/errors.h"

namespace gregor {

/// A broker endpoint: node id, host and port. Negative ids are bootstrap
/// servers whose real id is not known yet. A plain value; copy freely.
struct Node {
  int32_t id = -1;   ///< node.id, or -1, -2, ... for bootstrap servers
  std::string host;  ///< host name or address
  int32_t port = 0;  ///< TCP port
  /// "host:port (id N)" for log lines and error messages.
  std::string ToString() const;
  bool operator==(const Node&) const = default;
};

/// Parses Kafka's bootstrap.servers, "host:port[,host:port...]", into
/// nodes -1, -2, ... Errors: INVALID_CONFIG for an empty list, a missing
/// port or a port outside 1..65535.
Result<std::vector<Node>> ParseBootstrapServers(std::string_view servers);

}  // namespace gregor
