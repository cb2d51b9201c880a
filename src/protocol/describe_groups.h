// SPDX-License-Identifier: Apache-2.0
// DescribeGroups (key 15), versions 0-4: the state, protocol and members
// of groups (kafka-consumer-groups --describe, gregor-consumer-groups).
//
//   request  groups[string], include_authorized_operations (v3+)
//   response throttle_time_ms (v1+),
//            groups[error_code, group_id, group_state, protocol_type,
//                   protocol_data,
//                   members[member_id, group_instance_id (nullable, v4+),
//                           client_id, client_host, member_metadata,
//                           member_assignment],
//                   authorized_operations (v3+)]
//
// group_state is Kafka's state name ("Empty", "PreparingRebalance",
// "CompletingRebalance", "Stable", "Dead"); protocol_data is the chosen
// protocol's name (e.g. "range"). A group the broker does not know is
// described as "Dead" with no error. v5 is the first flexible version and
// v6 adds error_message; neither is declared (client-compat.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/bytes_field.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// authorized_operations when they were not requested or are unknown.
inline constexpr int32_t kAuthorizedOperationsOmitted = INT32_MIN;

/// DescribeGroups request.
struct DescribeGroupsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeGroups;
  static constexpr Versions kVersions{0, 4};

  std::vector<std::string> groups;             ///< group ids to describe
  bool include_authorized_operations = false;  ///< v3+

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Array("groups", groups);
    v.Bool("include_authorized_operations", include_authorized_operations, {3});
  }
  bool operator==(const DescribeGroupsRequest&) const = default;
};

/// One member of a described group.
struct DescribedGroupMember {
  std::string member_id;                         ///< the member
  std::optional<std::string> group_instance_id;  ///< v4+
  std::string client_id;                         ///< from its last JoinGroup
  std::string client_host;                       ///< e.g. "/127.0.0.1"
  Bytes member_metadata;                         ///< Stable groups only
  Bytes member_assignment;                       ///< Stable groups only

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("member_id", member_id);
    v.NullableString("group_instance_id", group_instance_id, {4});
    v.String("client_id", client_id);
    v.String("client_host", client_host);
    BytesField(v, "member_metadata", member_metadata);
    BytesField(v, "member_assignment", member_assignment);
  }
  bool operator==(const DescribedGroupMember&) const = default;
};

/// One described group.
struct DescribedGroup {
  ErrorCode error_code = ErrorCode::kNone;    ///< e.g. NOT_COORDINATOR
  std::string group_id;                       ///< the group
  std::string group_state;                    ///< e.g. "Stable"
  std::string protocol_type;                  ///< e.g. "consumer", or ""
  std::string protocol_data;                  ///< e.g. "range", or ""
  std::vector<DescribedGroupMember> members;  ///< empty when Dead
  /// v3+: a bit set of the operations the caller may perform on the group.
  int32_t authorized_operations = kAuthorizedOperationsOmitted;

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Error("error_code", error_code);
    v.String("group_id", group_id);
    v.String("group_state", group_state);
    v.String("protocol_type", protocol_type);
    v.String("protocol_data", protocol_data);
    v.Array("members", members);
    v.Int32("authorized_operations", authorized_operations, {3});
  }
  bool operator==(const DescribedGroup&) const = default;
};

/// DescribeGroups response.
struct DescribeGroupsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeGroups;
  static constexpr Versions kVersions{0, 4};

  int32_t throttle_time_ms = 0;        ///< v1+
  std::vector<DescribedGroup> groups;  ///< per requested group

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("throttle_time_ms", throttle_time_ms, {1});
    v.Array("groups", groups);
  }
  bool operator==(const DescribeGroupsResponse&) const = default;
};

}  // namespace gregor
