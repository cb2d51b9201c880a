// SPDX-License-Identifier: Apache-2.0
// DeleteGroups (key 42), versions 0-1: remove empty groups and their
// committed offsets (tombstones in __consumer_offsets).
//
//   request  groups_names[string]
//   response throttle_time_ms, results[group_id, error_code]
//
// A group with members answers NON_EMPTY_GROUP, an unknown one
// GROUP_ID_NOT_FOUND. v2 is the first flexible version (not declared).
#pragma once

#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// DeleteGroups request. (Kafka's field is spelled "GroupsNames".)
struct DeleteGroupsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteGroups;
  static constexpr Versions kVersions{0, 1};

  std::vector<std::string> groups_names;  ///< group ids to delete

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Array("groups_names", groups_names);
  }
  bool operator==(const DeleteGroupsRequest&) const = default;
};

/// The outcome for one group of a DeleteGroups request.
struct DeletableGroupResult {
  std::string group_id;                     ///< the group
  ErrorCode error_code = ErrorCode::kNone;  ///< e.g. NON_EMPTY_GROUP

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("group_id", group_id);
    v.Error("error_code", error_code);
  }
  bool operator==(const DeletableGroupResult&) const = default;
};

/// DeleteGroups response.
struct DeleteGroupsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteGroups;
  static constexpr Versions kVersions{0, 1};

  int32_t throttle_time_ms = 0;               ///< every version
  std::vector<DeletableGroupResult> results;  ///< per group

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("throttle_time_ms", throttle_time_ms);
    v.Array("results", results);
  }
  bool operator==(const DeleteGroupsResponse&) const = default;
};

}  // namespace gregor
