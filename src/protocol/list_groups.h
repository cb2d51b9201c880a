// SPDX-License-Identifier: Apache-2.0
// ListGroups (key 16), versions 0-2: the groups this broker coordinates
// (kafka-python also sends v0 as a probe for brokers older than 0.10).
//
//   request  (empty)
//   response throttle_time_ms (v1+), error_code,
//            groups[group_id, protocol_type]
//
// v3 is the first flexible version (states filter as a tagged field in v4,
// group_state in the response); not declared (client-compat.md: cap at 2).
#pragma once

#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// ListGroups request: no fields before v4.
struct ListGroupsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kListGroups;
  static constexpr Versions kVersions{0, 2};

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V&) {}
  bool operator==(const ListGroupsRequest&) const = default;
};

/// One listed group.
struct ListedGroup {
  std::string group_id;       ///< the group
  std::string protocol_type;  ///< "consumer", or "" for a group without members

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("group_id", group_id);
    v.String("protocol_type", protocol_type);
  }
  bool operator==(const ListedGroup&) const = default;
};

/// ListGroups response.
struct ListGroupsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kListGroups;
  static constexpr Versions kVersions{0, 2};

  int32_t throttle_time_ms = 0;             ///< v1+
  ErrorCode error_code = ErrorCode::kNone;  ///< e.g. COORDINATOR_LOAD_IN_PROGRESS
  std::vector<ListedGroup> groups;          ///< every group coordinated here

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("throttle_time_ms", throttle_time_ms, {1});
    v.Error("error_code", error_code);
    v.Array("groups", groups);
  }
  bool operator==(const ListGroupsResponse&) const = default;
};

}  // namespace gregor
