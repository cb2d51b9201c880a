// SPDX-License-Identifier: Apache-2.0
// ConsumerProtocol: what consumers put inside the opaque bytes of the
// group APIs when protocol_type is "consumer", so that members written
// against different clients (Gregor, kafka-python, librdkafka, Java) can
// share a group. The coordinator never reads them; the group leader reads
// every member's subscription and writes every member's assignment.
//
//   JoinGroup protocols[].metadata, JoinGroupResponse members[].metadata:
//     ConsumerProtocolSubscription =>
//       version int16
//       topics [string]
//       user_data nullable bytes          (assignor-specific, e.g. sticky)
//       owned_partitions [topic, partitions [int32]]   (v1+, KIP-429)
//   SyncGroup assignments[].assignment, SyncGroupResponse assignment:
//     ConsumerProtocolAssignment =>
//       version int16
//       assigned_partitions [topic, partitions [int32]]
//       user_data nullable bytes
//
// Classic encoding (versioned_data.h). Compatibility rule, Kafka's: a
// later version only appends fields, so a reader parses a version newer
// than it knows with the newest layout it knows and ignores the rest (v2
// adds generation_id and v3 rack_id to subscriptions; kafka-python
// 2.0.2 writes and reads v0 only and ignores trailing bytes). A negative
// version is malformed. Assignment v1 has the same layout as v0.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/errors.h"
#include "protocol/bytes_field.h"
#include "protocol/field_visitor.h"
#include "protocol/versioned_data.h"

namespace gregor {

/// Kafka's protocol_type for consumer groups.
inline constexpr const char* kConsumerProtocolType = "consumer";

/// Some partitions of one topic (Kafka's ConsumerProtocol TopicPartition).
struct ConsumerProtocolTopicPartition {
  std::string topic;                ///< the topic
  std::vector<int32_t> partitions;  ///< its partitions

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("topic", topic);
    v.Array("partitions", partitions);
  }
  bool operator==(const ConsumerProtocolTopicPartition&) const = default;
};

/// A member's subscription: JoinGroup metadata for protocol type "consumer".
struct ConsumerProtocolSubscription {
  /// The versions Gregor reads and writes; newer ones are read as v1.
  static constexpr Versions kVersions{0, 1};

  std::vector<std::string> topics;                               ///< subscribed topics
  NullableBytes user_data;                                       ///< assignor data, usually null
  std::vector<ConsumerProtocolTopicPartition> owned_partitions;  ///< v1+

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Array("topics", topics);
    NullableBytesField(v, "user_data", user_data);
    v.Array("owned_partitions", owned_partitions, {1});
  }
  bool operator==(const ConsumerProtocolSubscription&) const = default;
};

/// A member's assignment: SyncGroup assignment for protocol type "consumer".
struct ConsumerProtocolAssignment {
  /// The versions Gregor reads and writes; newer ones are read as v1.
  static constexpr Versions kVersions{0, 1};

  std::vector<ConsumerProtocolTopicPartition> assigned_partitions;  ///< what to consume
  NullableBytes user_data;                                          ///< assignor data, usually null

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Array("assigned_partitions", assigned_partitions);
    NullableBytesField(v, "user_data", user_data);
  }
  bool operator==(const ConsumerProtocolAssignment&) const = default;
};

/// The version prefix and fields of a subscription or assignment `m`.
/// REQUIRES: T::kVersions.Contains(version).
template <class T>
Bytes EncodeConsumerProtocol(const T& m, int16_t version = T::kVersions.max) {
  return EncodeVersioned(m, version);
}

/// Decodes a subscription or assignment; `version`, if given, receives the
/// version the sender wrote (which may be above T::kVersions.max).
/// Errors: INVALID_REQUEST for a negative version or a truncated body.
template <class T>
Result<T> DecodeConsumerProtocol(ByteSpan bytes, int16_t* version = nullptr) {
  ByteReader r(bytes);
  Result<int16_t> v = ReadVersionPrefix(r, ErrorCode::kInvalidRequest);
  if (!v.ok()) return Result<T>(v.status());
  if (*v < 0) {
    return Result<T>(ErrorCode::kInvalidRequest, "consumer protocol version " + std::to_string(*v));
  }
  if (version != nullptr) *version = *v;
  int16_t layout = *v > T::kVersions.max ? T::kVersions.max : *v;
  return DecodeVersionedBody<T>(r, layout, ErrorCode::kInvalidRequest);
}

}  // namespace gregor
