// SPDX-License-Identifier: Apache-2.0
// SyncGroup (key 14), versions 0-3: after JoinGroup, the leader sends the
// assignment of every member; every member (leader included) gets its own
// assignment back once the leader's has arrived.
//
//   request  group_id, generation_id, member_id,
//            group_instance_id (nullable, v3+),
//            assignments[member_id, assignment]   (empty unless leader)
//   response throttle_time_ms (v1+), error_code, assignment
//
// For the "consumer" protocol type an assignment is a
// ConsumerProtocolAssignment (consumer_protocol.h). v4 is the first
// flexible version and v5 adds protocol_type/protocol_name; neither is
// declared (client-compat.md: cap at 3).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/bytes_field.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// The leader's assignment for one member.
struct SyncGroupRequestAssignment {
  std::string member_id;  ///< the member
  Bytes assignment;       ///< opaque to the broker

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("member_id", member_id);
    BytesField(v, "assignment", assignment);
  }
  bool operator==(const SyncGroupRequestAssignment&) const = default;
};

/// SyncGroup request.
struct SyncGroupRequest {
  static constexpr ApiKey kApiKey = ApiKey::kSyncGroup;
  static constexpr Versions kVersions{0, 3};

  std::string group_id;                                 ///< the group
  int32_t generation_id = 0;                            ///< from JoinGroup
  std::string member_id;                                ///< this member
  std::optional<std::string> group_instance_id;         ///< v3+
  std::vector<SyncGroupRequestAssignment> assignments;  ///< leader only

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("group_id", group_id);
    v.Int32("generation_id", generation_id);
    v.String("member_id", member_id);
    v.NullableString("group_instance_id", group_instance_id, {3});
    v.Array("assignments", assignments);
  }
  bool operator==(const SyncGroupRequest&) const = default;
};

/// SyncGroup response: this member's assignment.
struct SyncGroupResponse {
  static constexpr ApiKey kApiKey = ApiKey::kSyncGroup;
  static constexpr Versions kVersions{0, 3};

  int32_t throttle_time_ms = 0;             ///< v1+
  ErrorCode error_code = ErrorCode::kNone;  ///< e.g. REBALANCE_IN_PROGRESS
  Bytes assignment;                         ///< empty on error

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("throttle_time_ms", throttle_time_ms, {1});
    v.Error("error_code", error_code);
    BytesField(v, "assignment", assignment);
  }
  bool operator==(const SyncGroupResponse&) const = default;
};

}  // namespace gregor
