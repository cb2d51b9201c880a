// SPDX-License-Identifier: Apache-2.0
// CreateTopics (key 19), versions 0-4.
//
//   request  topics[name, num_partitions, replication_factor,
//                   assignments[partition_index, broker_ids[int32]],
//                   configs[name, value (nullable)]],
//            timeout_ms, validate_only (v1+)
//   response throttle_time_ms (v2+),
//            topics[name, error_code, error_message (nullable, v1+)]
//
// From v4, num_partitions and replication_factor may be -1: use the
// broker's defaults (KIP-464).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// A manual replica assignment for one partition of a new topic.
struct CreatableReplicaAssignment {
  int32_t partition_index = 0;      ///< the partition
  std::vector<int32_t> broker_ids;  ///< its replicas, preferred leader first

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("partition_index", partition_index);
    v.Array("broker_ids", broker_ids);
  }
  bool operator==(const CreatableReplicaAssignment&) const = default;
};

/// A topic config override (e.g. cleanup.policy) for a new topic.
struct CreatableTopicConfig {
  std::string name;                  ///< the config key
  std::optional<std::string> value;  ///< its value, null for the default

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    v.NullableString("value", value);
  }
  bool operator==(const CreatableTopicConfig&) const = default;
};

/// One topic to create.
struct CreatableTopic {
  std::string name;                                     ///< the topic
  int32_t num_partitions = 0;                           ///< -1 = default (v4+)
  int16_t replication_factor = 0;                       ///< -1 = default (v4+)
  std::vector<CreatableReplicaAssignment> assignments;  ///< empty unless manual
  std::vector<CreatableTopicConfig> configs;            ///< overrides

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    v.Int32("num_partitions", num_partitions);
    v.Int16("replication_factor", replication_factor);
    v.Array("assignments", assignments);
    v.Array("configs", configs);
  }
  bool operator==(const CreatableTopic&) const = default;
};

/// CreateTopics request.
struct CreateTopicsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kCreateTopics;
  static constexpr Versions kVersions{0, 4};

  std::vector<CreatableTopic> topics;  ///< topics to create
  int32_t timeout_ms = 60000;          ///< how long to wait for creation
  bool validate_only = false;          ///< v1+, check but do not create

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Array("topics", topics);
    v.Int32("timeout_ms", timeout_ms);
    v.Bool("validate_only", validate_only, {1});
  }
  bool operator==(const CreateTopicsRequest&) const = default;
};

/// The outcome for one topic of a CreateTopics request.
struct CreatableTopicResult {
  std::string name;                          ///< the topic
  ErrorCode error_code = ErrorCode::kNone;   ///< e.g. TOPIC_ALREADY_EXISTS
  std::optional<std::string> error_message;  ///< v1+

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    v.Error("error_code", error_code);
    v.NullableString("error_message", error_message, {1});
  }
  bool operator==(const CreatableTopicResult&) const = default;
};

/// CreateTopics response.
struct CreateTopicsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kCreateTopics;
  static constexpr Versions kVersions{0, 4};

  int32_t throttle_time_ms = 0;              ///< v2+
  std::vector<CreatableTopicResult> topics;  ///< per topic

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("throttle_time_ms", throttle_time_ms, {2});
    v.Array("topics", topics);
  }
  bool operator==(const CreateTopicsResponse&) const = default;
};

}  // namespace gregor
