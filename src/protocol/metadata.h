// SPDX-License-Identifier: Apache-2.0
// Metadata (key 3), versions 0-6: which brokers exist and who leads each
// partition of the asked-for topics.
//
//   request  topics[name] (null = all topics from v1; in v0 an *empty*
//            list means all, which kafka-python's version probe relies on),
//            allow_auto_topic_creation (v4+)
//   response throttle_time_ms (v3+), brokers[node_id, host, port, rack v1+],
//            cluster_id (v2+), controller_id (v1+),
//            topics[error_code, name, is_internal v1+,
//                   partitions[error_code, partition_index, leader_id,
//                              replica_nodes, isr_nodes,
//                              offline_replicas v5+]]
//   (leader_epoch, v7+, is declared but not advertised yet.)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// A topic asked about in a Metadata request.
struct MetadataRequestTopic {
  std::string name;  ///< the topic

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
  }
  bool operator==(const MetadataRequestTopic&) const = default;
};

/// Metadata request. RequestsAllTopics() says how to read `topics`.
struct MetadataRequest {
  static constexpr ApiKey kApiKey = ApiKey::kMetadata;
  static constexpr Versions kVersions{0, 6};

  /// The topics wanted; null (v1+) or empty (v0) means all of them.
  std::optional<std::vector<MetadataRequestTopic>> topics = std::vector<MetadataRequestTopic>{};
  bool allow_auto_topic_creation = true;  ///< v4+; older versions always allow

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.NullableArray("topics", topics, {}, {1});
    v.Bool("allow_auto_topic_creation", allow_auto_topic_creation, {4});
  }
  bool operator==(const MetadataRequest&) const = default;

  /// True when the request at `version` asks for every topic.
  bool RequestsAllTopics(int16_t version) const {
    return !topics || (version == 0 && topics->empty());
  }
};

/// A broker in a Metadata response.
struct MetadataResponseBroker {
  int32_t node_id = 0;              ///< broker id
  std::string host;                 ///< advertised host
  int32_t port = 0;                 ///< advertised port
  std::optional<std::string> rack;  ///< v1+, null if unset

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("node_id", node_id);
    v.String("host", host);
    v.Int32("port", port);
    v.NullableString("rack", rack, {1});
  }
  bool operator==(const MetadataResponseBroker&) const = default;
};

/// One partition's leadership in a Metadata response.
struct MetadataResponsePartition {
  ErrorCode error_code = ErrorCode::kNone;  ///< e.g. LEADER_NOT_AVAILABLE
  int32_t partition_index = 0;              ///< the partition
  int32_t leader_id = -1;                   ///< leader broker, -1 if none
  int32_t leader_epoch = -1;                ///< v7+
  std::vector<int32_t> replica_nodes;       ///< all replicas
  std::vector<int32_t> isr_nodes;           ///< in-sync replicas
  std::vector<int32_t> offline_replicas;    ///< v5+

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Error("error_code", error_code);
    v.Int32("partition_index", partition_index);
    v.Int32("leader_id", leader_id);
    v.Int32("leader_epoch", leader_epoch, {7});
    v.Array("replica_nodes", replica_nodes);
    v.Array("isr_nodes", isr_nodes);
    v.Array("offline_replicas", offline_replicas, {5});
  }
  bool operator==(const MetadataResponsePartition&) const = default;
};

/// One topic in a Metadata response.
struct MetadataResponseTopic {
  ErrorCode error_code = ErrorCode::kNone;            ///< e.g. UNKNOWN_TOPIC_OR_PARTITION
  std::string name;                                   ///< the topic
  bool is_internal = false;                           ///< v1+
  std::vector<MetadataResponsePartition> partitions;  ///< its partitions

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Error("error_code", error_code);
    v.String("name", name);
    v.Bool("is_internal", is_internal, {1});
    v.Array("partitions", partitions);
  }
  bool operator==(const MetadataResponseTopic&) const = default;
};

/// Metadata response: the brokers, the controller and the topics asked for.
struct MetadataResponse {
  static constexpr ApiKey kApiKey = ApiKey::kMetadata;
  static constexpr Versions kVersions{0, 6};

  int32_t throttle_time_ms = 0;                 ///< v3+
  std::vector<MetadataResponseBroker> brokers;  ///< every live broker
  std::optional<std::string> cluster_id;        ///< v2+
  int32_t controller_id = -1;                   ///< v1+
  std::vector<MetadataResponseTopic> topics;    ///< the topics asked for

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("throttle_time_ms", throttle_time_ms, {3});
    v.Array("brokers", brokers);
    v.NullableString("cluster_id", cluster_id, {2});
    v.Int32("controller_id", controller_id, {1});
    v.Array("topics", topics);
  }
  bool operator==(const MetadataResponse&) const = default;
};

}  // namespace gregor
