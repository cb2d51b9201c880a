// SPDX-License-Identifier: Apache-2.0
// EndPoint: one listener of the broker, Kafka's `listeners` entry
// `NAME://host:port` (Kafka's EndPoint / SocketServerConfigs).
//
//   listener  => name "://" host ":" port
//   host      => "" | "localhost" | IPv4 literal | "[" IPv6 literal "]" | DNS name
//
// Host meaning when binding (Acceptor):
//   ""          the wildcard: "::" dual-stack, or 0.0.0.0 without IPv6;
//   "localhost" both loopbacks, 127.0.0.1 and ::1 (clients such as
//               librdkafka may resolve localhost to ::1; client-compat §4.9);
//   a literal   that address only; a DNS name: every address it resolves to.
// Port 0 asks the kernel for a free port; SocketServer::BoundPort tells it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/errors.h"

namespace gregor {

/// One listener: a name (Kafka's ListenerName, "PLAINTEXT"), a host and a
/// port; see the file comment for what the host means when binding.
struct EndPoint {
  std::string listener_name = "PLAINTEXT";
  std::string host;
  uint16_t port = 0;

  /// Parses `NAME://host:port` (`PLAINTEXT://[::1]:9092`).
  /// Errors: INVALID_CONFIG for a missing `://`, a bad port or brackets.
  static Result<EndPoint> Parse(std::string_view text);
  /// `NAME://host:port`, IPv6 literals in brackets.
  std::string ToString() const;
};

}  // namespace gregor
