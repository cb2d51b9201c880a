// SPDX-License-Identifier: Apache-2.0
// Heartbeat (key 12), versions 0-3: a member tells the coordinator it is
// alive; the answer REBALANCE_IN_PROGRESS tells it to rejoin.
//
//   request  group_id, generation_id, member_id,
//            group_instance_id (nullable, v3+)
//   response throttle_time_ms (v1+), error_code
//
// v4 is the first flexible version (not declared; client-compat.md).
#pragma once

#include <optional>
#include <string>

#include "protocol/api_keys.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// Heartbeat request.
struct HeartbeatRequest {
  static constexpr ApiKey kApiKey = ApiKey::kHeartbeat;
  static constexpr Versions kVersions{0, 3};

  std::string group_id;                          ///< the group
  int32_t generation_id = 0;                     ///< the member's generation
  std::string member_id;                         ///< the member
  std::optional<std::string> group_instance_id;  ///< v3+

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("group_id", group_id);
    v.Int32("generation_id", generation_id);
    v.String("member_id", member_id);
    v.NullableString("group_instance_id", group_instance_id, {3});
  }
  bool operator==(const HeartbeatRequest&) const = default;
};

/// Heartbeat response.
struct HeartbeatResponse {
  static constexpr ApiKey kApiKey = ApiKey::kHeartbeat;
  static constexpr Versions kVersions{0, 3};

  int32_t throttle_time_ms = 0;             ///< v1+
  ErrorCode error_code = ErrorCode::kNone;  ///< e.g. REBALANCE_IN_PROGRESS

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("throttle_time_ms", throttle_time_ms, {1});
    v.Error("error_code", error_code);
  }
  bool operator==(const HeartbeatResponse&) const = default;
};

}  // namespace gregor
