// SPDX-License-Identifier: Apache-2.0
// FindCoordinator (key 10), versions 0-2: which broker coordinates a
// consumer group (or, from v1, a transactional id). The first request of
// every group member; Kafka's name before v1 was GroupCoordinator.
//
//   request  key, key_type (v1+: 0 = group, 1 = transaction)
//   response throttle_time_ms (v1+), error_code,
//            error_message (nullable, v1+), node_id, host, port
//
// v3 is the first flexible version and v4 batches coordinator_keys
// (KIP-699); neither is declared (client-compat.md: cap at 2).
#pragma once

#include <optional>
#include <string>

#include "protocol/api_keys.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// FindCoordinator key_type values (Kafka's CoordinatorType).
enum class CoordinatorType : int8_t {
  kGroup = 0,        ///< key is a group id
  kTransaction = 1,  ///< key is a transactional id (v1+)
};

/// FindCoordinator request.
struct FindCoordinatorRequest {
  static constexpr ApiKey kApiKey = ApiKey::kFindCoordinator;
  static constexpr Versions kVersions{0, 2};

  std::string key;      ///< the group id or transactional id
  int8_t key_type = 0;  ///< v1+, a CoordinatorType; v0 is always a group

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("key", key);
    v.Int8("key_type", key_type, {1});
  }
  bool operator==(const FindCoordinatorRequest&) const = default;
};

/// FindCoordinator response: the coordinator's address, or an error such
/// as COORDINATOR_NOT_AVAILABLE while __consumer_offsets is not ready.
struct FindCoordinatorResponse {
  static constexpr ApiKey kApiKey = ApiKey::kFindCoordinator;
  static constexpr Versions kVersions{0, 2};

  int32_t throttle_time_ms = 0;              ///< v1+
  ErrorCode error_code = ErrorCode::kNone;   ///< e.g. COORDINATOR_NOT_AVAILABLE
  std::optional<std::string> error_message;  ///< v1+, null when no error
  int32_t node_id = -1;                      ///< the coordinator broker
  std::string host;                          ///< its advertised host
  int32_t port = -1;                         ///< its advertised port

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("throttle_time_ms", throttle_time_ms, {1});
    v.Error("error_code", error_code);
    v.NullableString("error_message", error_message, {1});
    v.Int32("node_id", node_id);
    v.String("host", host);
    v.Int32("port", port);
  }
  bool operator==(const FindCoordinatorResponse&) const = default;
};

}  // namespace gregor
