// SPDX-License-Identifier: Apache-2.0
// The records of `__consumer_offsets`, in Kafka's format, so a partition
// written by Gregor reads back in Kafka's tools and the other way round.
// Each record is an ordinary record in a v2 batch of the compacted topic;
// its key says what it is about, its value is the latest state of that
// thing, and a null value (tombstone) deletes it:
//
//   key   => version int16, then by version
//     0, 1  OffsetCommitKey  => group string, topic string, partition int32
//     2     GroupMetadataKey => group string
//   value => version int16, then
//     OffsetCommitValue  (keys 0-1), v0-3:
//       offset int64, leader_epoch int32 (v3+), metadata string,
//       commit_timestamp int64, expire_timestamp int64 (v1 only)
//     GroupMetadataValue (key 2), v0-3:
//       protocol_type string, generation int32, protocol nullable string,
//       leader nullable string, current_state_timestamp int64 (v2+),
//       members [member_id string, group_instance_id nullable string (v3+),
//                client_id string, client_host string,
//                rebalance_timeout int32 (v1+), session_timeout int32,
//                subscription bytes, assignment bytes]
//
// All in the classic encoding (versioned_data.h). Gregor writes key
// versions 1 and 2, OffsetCommitValue v3 (v1 only if an expire timestamp
// is set, as Kafka does) and GroupMetadataValue v3; it reads every version
// above. A version above those (Kafka 3.5+'s flexible v4 values, or an
// unknown key type) is CORRUPT_MESSAGE: reading it with an older layout
// could silently drop state. The key of a record decides which partition
// of __consumer_offsets it lives in: hash(group) mod
// offsets.topic.num.partitions, so a group's offsets and metadata share a
// partition and a coordinator.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/errors.h"
#include "protocol/bytes_field.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// The key of a committed offset: (group, topic, partition).
struct OffsetCommitKey {
  static constexpr int16_t kVersion = 1;  ///< written; 0 and 1 are read
  std::string group;                      ///< the group id
  std::string topic;                      ///< the topic
  int32_t partition = 0;                  ///< the partition

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("group", group);
    v.String("topic", topic);
    v.Int32("partition", partition);
  }
  bool operator==(const OffsetCommitKey&) const = default;
};

/// The key of a group's metadata.
struct GroupMetadataKey {
  static constexpr int16_t kVersion = 2;  ///< the only version
  std::string group;                      ///< the group id

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("group", group);
  }
  bool operator==(const GroupMetadataKey&) const = default;
};

/// Any key of __consumer_offsets.
using GroupRecordKey = std::variant<OffsetCommitKey, GroupMetadataKey>;

/// The key bytes, at the type's kVersion.
Bytes EncodeGroupRecordKey(const GroupRecordKey& key);
/// Decodes a key of version 0-2. Errors: CORRUPT_MESSAGE (truncated,
/// unknown version).
Result<GroupRecordKey> DecodeGroupRecordKey(ByteSpan key);

/// A committed offset: the value of an OffsetCommitKey.
struct OffsetCommitValue {
  static constexpr Versions kVersions{0, 3};  ///< read; see EncodeOffsetCommitValue
  int64_t offset = 0;                         ///< the committed offset
  int32_t leader_epoch = -1;                  ///< v3+, -1 if unknown
  std::string metadata;                       ///< the client's metadata ("" for null)
  int64_t commit_timestamp = 0;               ///< when it was committed (ms)
  int64_t expire_timestamp = -1;  ///< v1 only: the retention_time_ms of OffsetCommit v2-4

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int64("offset", offset);
    v.Int32("leader_epoch", leader_epoch, {3});
    v.String("metadata", metadata);
    v.Int64("commit_timestamp", commit_timestamp);
    v.Int64("expire_timestamp", expire_timestamp, {1, 1});
  }
  bool operator==(const OffsetCommitValue&) const = default;
};

/// The version Kafka writes for `value`: 1 with an expire timestamp
/// (which only v1 can hold), else 3.
int16_t OffsetCommitValueVersion(const OffsetCommitValue& value);
/// The value bytes at `version`, by default OffsetCommitValueVersion().
/// REQUIRES: OffsetCommitValue::kVersions.Contains(version).
Bytes EncodeOffsetCommitValue(const OffsetCommitValue& value, int16_t version = -1);
/// Decodes versions 0-3. Errors: CORRUPT_MESSAGE.
Result<OffsetCommitValue> DecodeOffsetCommitValue(ByteSpan value);

/// One member in a group's metadata record (Kafka's MemberMetadata).
struct GroupMemberMetadata {
  std::string member_id;                         ///< the member
  std::optional<std::string> group_instance_id;  ///< v3+, static membership
  std::string client_id;                         ///< from its JoinGroup header
  std::string client_host;                       ///< its address
  int32_t rebalance_timeout = 0;                 ///< v1+, ms
  int32_t session_timeout = 0;                   ///< ms
  Bytes subscription;                            ///< its protocol metadata
  Bytes assignment;                              ///< its assignment

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("member_id", member_id);
    v.NullableString("group_instance_id", group_instance_id, {3});
    v.String("client_id", client_id);
    v.String("client_host", client_host);
    v.Int32("rebalance_timeout", rebalance_timeout, {1});
    v.Int32("session_timeout", session_timeout);
    BytesField(v, "subscription", subscription);
    BytesField(v, "assignment", assignment);
  }
  bool operator==(const GroupMemberMetadata&) const = default;
};

/// A group's state after a rebalance: the value of a GroupMetadataKey.
struct GroupMetadataValue {
  static constexpr Versions kVersions{0, 3};  ///< read; v3 written
  std::string protocol_type;                  ///< "consumer", or "" when empty
  int32_t generation = 0;                     ///< the group's generation
  std::optional<std::string> protocol;        ///< the chosen protocol, null when empty
  std::optional<std::string> leader;          ///< the leader, null when empty
  int64_t current_state_timestamp = -1;       ///< v2+, ms
  std::vector<GroupMemberMetadata> members;   ///< every member

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("protocol_type", protocol_type);
    v.Int32("generation", generation);
    v.NullableString("protocol", protocol);
    v.NullableString("leader", leader);
    v.Int64("current_state_timestamp", current_state_timestamp, {2});
    v.Array("members", members);
  }
  bool operator==(const GroupMetadataValue&) const = default;
};

/// The value bytes at `version` (Gregor writes 3).
/// REQUIRES: GroupMetadataValue::kVersions.Contains(version).
Bytes EncodeGroupMetadataValue(const GroupMetadataValue& value, int16_t version = 3);
/// Decodes versions 0-3. Errors: CORRUPT_MESSAGE.
Result<GroupMetadataValue> DecodeGroupMetadataValue(ByteSpan value);

}  // namespace gregor
