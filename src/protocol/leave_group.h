// SPDX-License-Identifier: Apache-2.0
// LeaveGroup (key 13), versions 0-3: members leave a group at once
// instead of waiting for their session to time out.
//
//   request  group_id, member_id (v0-2),
//            members[member_id, group_instance_id (nullable)] (v3+)
//   response throttle_time_ms (v1+), error_code,
//            members[member_id, group_instance_id (nullable),
//                    error_code] (v3+)
//
// v3 replaced the single member_id by a batch of member identities
// (KIP-345), so an admin can remove static members; kafkajs sends v3.
// v4 is the first flexible version (not declared; client-compat.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// One leaving member (v3+): by member id, or by instance id.
struct MemberIdentity {
  std::string member_id;                         ///< may be "" for a static member
  std::optional<std::string> group_instance_id;  ///< null for a dynamic member

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("member_id", member_id);
    v.NullableString("group_instance_id", group_instance_id);
  }
  bool operator==(const MemberIdentity&) const = default;
};

/// LeaveGroup request.
struct LeaveGroupRequest {
  static constexpr ApiKey kApiKey = ApiKey::kLeaveGroup;
  static constexpr Versions kVersions{0, 3};

  std::string group_id;                 ///< the group
  std::string member_id;                ///< v0-2: the one leaving member
  std::vector<MemberIdentity> members;  ///< v3+: every leaving member

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("group_id", group_id);
    v.String("member_id", member_id, {0, 2});
    v.Array("members", members, {3});
  }
  bool operator==(const LeaveGroupRequest&) const = default;
};

/// The outcome for one leaving member (v3+).
struct LeaveGroupMemberResponse {
  std::string member_id;                         ///< as requested
  std::optional<std::string> group_instance_id;  ///< as requested
  ErrorCode error_code = ErrorCode::kNone;       ///< e.g. UNKNOWN_MEMBER_ID

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("member_id", member_id);
    v.NullableString("group_instance_id", group_instance_id);
    v.Error("error_code", error_code);
  }
  bool operator==(const LeaveGroupMemberResponse&) const = default;
};

/// LeaveGroup response.
struct LeaveGroupResponse {
  static constexpr ApiKey kApiKey = ApiKey::kLeaveGroup;
  static constexpr Versions kVersions{0, 3};

  int32_t throttle_time_ms = 0;                   ///< v1+
  ErrorCode error_code = ErrorCode::kNone;        ///< group-level error
  std::vector<LeaveGroupMemberResponse> members;  ///< v3+, per member

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("throttle_time_ms", throttle_time_ms, {1});
    v.Error("error_code", error_code);
    v.Array("members", members, {3});
  }
  bool operator==(const LeaveGroupResponse&) const = default;
};

}  // namespace gregor
