// SPDX-License-Identifier: Apache-2.0
// JoinGroup (key 11), versions 0-5: a member joins (or rejoins) a group
// and, once every member has joined, learns the generation, the chosen
// protocol and the leader; the leader alone also gets every member's
// metadata so it can compute the assignment (sent back with SyncGroup).
//
//   request  group_id, session_timeout_ms, rebalance_timeout_ms (v1+),
//            member_id, group_instance_id (nullable, v5+), protocol_type,
//            protocols[name, metadata]
//   response throttle_time_ms (v2+), error_code, generation_id,
//            protocol_name, leader, member_id,
//            members[member_id, group_instance_id (nullable, v5+), metadata]
//
// v4+: a member joining with an empty member_id gets MEMBER_ID_REQUIRED
// (79) with its new member_id and must join again with it (KIP-394).
// v5 adds group.instance.id (static membership, KIP-345). For the
// "consumer" protocol type, metadata is a ConsumerProtocolSubscription
// (consumer_protocol.h). v6 is the first flexible version; v7 adds
// protocol_type to the response, v8 a reason, v9 skip_assignment; none is
// declared (client-compat.md: cap at 5).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/bytes_field.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// One protocol (assignor) a joining member supports, in preference order.
struct JoinGroupRequestProtocol {
  std::string name;  ///< e.g. "range", "roundrobin", "cooperative-sticky"
  Bytes metadata;    ///< opaque to the broker; a subscription for consumers

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    BytesField(v, "metadata", metadata);
  }
  bool operator==(const JoinGroupRequestProtocol&) const = default;
};

/// JoinGroup request.
struct JoinGroupRequest {
  static constexpr ApiKey kApiKey = ApiKey::kJoinGroup;
  static constexpr Versions kVersions{0, 5};

  std::string group_id;                             ///< the group
  int32_t session_timeout_ms = 0;                   ///< no heartbeat this long: dead
  int32_t rebalance_timeout_ms = -1;                ///< v1+; v0 uses the session timeout
  std::string member_id;                            ///< "" on a first join
  std::optional<std::string> group_instance_id;     ///< v5+, static membership
  std::string protocol_type;                        ///< "consumer" for consumers
  std::vector<JoinGroupRequestProtocol> protocols;  ///< supported assignors

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("group_id", group_id);
    v.Int32("session_timeout_ms", session_timeout_ms);
    v.Int32("rebalance_timeout_ms", rebalance_timeout_ms, {1});
    v.String("member_id", member_id);
    v.NullableString("group_instance_id", group_instance_id, {5});
    v.String("protocol_type", protocol_type);
    v.Array("protocols", protocols);
  }
  bool operator==(const JoinGroupRequest&) const = default;
};

/// One member as the leader sees it in the JoinGroup response.
struct JoinGroupResponseMember {
  std::string member_id;                         ///< the member
  std::optional<std::string> group_instance_id;  ///< v5+
  Bytes metadata;                                ///< its metadata for the chosen protocol

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("member_id", member_id);
    v.NullableString("group_instance_id", group_instance_id, {5});
    BytesField(v, "metadata", metadata);
  }
  bool operator==(const JoinGroupResponseMember&) const = default;
};

/// JoinGroup response. `members` is empty except for the leader.
struct JoinGroupResponse {
  static constexpr ApiKey kApiKey = ApiKey::kJoinGroup;
  static constexpr Versions kVersions{0, 5};

  int32_t throttle_time_ms = 0;                  ///< v2+
  ErrorCode error_code = ErrorCode::kNone;       ///< e.g. MEMBER_ID_REQUIRED
  int32_t generation_id = -1;                    ///< the new generation
  std::string protocol_name;                     ///< the protocol chosen for the group
  std::string leader;                            ///< the leader's member id
  std::string member_id;                         ///< this member's id
  std::vector<JoinGroupResponseMember> members;  ///< leader only

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("throttle_time_ms", throttle_time_ms, {2});
    v.Error("error_code", error_code);
    v.Int32("generation_id", generation_id);
    v.String("protocol_name", protocol_name);
    v.String("leader", leader);
    v.String("member_id", member_id);
    v.Array("members", members);
  }
  bool operator==(const JoinGroupResponse&) const = default;
};

}  // namespace gregor
