// SPDX-License-Identifier: Apache-2.0
// OffsetCommit (key 8), versions 2-7: a member (or a standalone consumer,
// with generation -1 and member "") stores the offsets it has consumed up
// to; the coordinator appends them to __consumer_offsets.
//
//   request  group_id, generation_id, member_id,
//            group_instance_id (nullable, v7+), retention_time_ms (v2-4),
//            topics[name, partitions[partition_index, committed_offset,
//                   committed_leader_epoch (v6+), committed_metadata
//                   (nullable)]]
//   response throttle_time_ms (v3+),
//            topics[name, partitions[partition_index, error_code]]
//
// v0 (ZooKeeper storage) and v1 (a per-partition commit_timestamp) are
// not declared: every client in scope sends v2 or later and
// client-compat.md needs 2-7. retention_time_ms -1 means the broker's
// offsets.retention.minutes; v5 dropped the field. v8 is the first
// flexible version and v9 adds topic ids; neither is declared.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// One partition's offset to commit.
struct OffsetCommitRequestPartition {
  int32_t partition_index = 0;                    ///< the partition
  int64_t committed_offset = 0;                   ///< the next offset to consume
  int32_t committed_leader_epoch = -1;            ///< v6+, -1 if unknown
  std::optional<std::string> committed_metadata;  ///< free text kept with the offset

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("partition_index", partition_index);
    v.Int64("committed_offset", committed_offset);
    v.Int32("committed_leader_epoch", committed_leader_epoch, {6});
    v.NullableString("committed_metadata", committed_metadata);
  }
  bool operator==(const OffsetCommitRequestPartition&) const = default;
};

/// One topic's offsets to commit.
struct OffsetCommitRequestTopic {
  std::string name;                                      ///< the topic
  std::vector<OffsetCommitRequestPartition> partitions;  ///< per partition

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    v.Array("partitions", partitions);
  }
  bool operator==(const OffsetCommitRequestTopic&) const = default;
};

/// OffsetCommit request.
struct OffsetCommitRequest {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetCommit;
  static constexpr Versions kVersions{2, 7};

  std::string group_id;                          ///< the group
  int32_t generation_id = -1;                    ///< -1 outside group management
  std::string member_id;                         ///< "" outside group management
  std::optional<std::string> group_instance_id;  ///< v7+
  int64_t retention_time_ms = -1;                ///< v2-4, -1 = broker default
  std::vector<OffsetCommitRequestTopic> topics;  ///< per topic

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("group_id", group_id);
    v.Int32("generation_id", generation_id);
    v.String("member_id", member_id);
    v.NullableString("group_instance_id", group_instance_id, {7});
    v.Int64("retention_time_ms", retention_time_ms, {2, 4});
    v.Array("topics", topics);
  }
  bool operator==(const OffsetCommitRequest&) const = default;
};

/// The outcome for one partition of an OffsetCommit request.
struct OffsetCommitResponsePartition {
  int32_t partition_index = 0;              ///< the partition
  ErrorCode error_code = ErrorCode::kNone;  ///< e.g. ILLEGAL_GENERATION

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("partition_index", partition_index);
    v.Error("error_code", error_code);
  }
  bool operator==(const OffsetCommitResponsePartition&) const = default;
};

/// One topic's results in an OffsetCommit response.
struct OffsetCommitResponseTopic {
  std::string name;                                       ///< the topic
  std::vector<OffsetCommitResponsePartition> partitions;  ///< per partition

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    v.Array("partitions", partitions);
  }
  bool operator==(const OffsetCommitResponseTopic&) const = default;
};

/// OffsetCommit response.
struct OffsetCommitResponse {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetCommit;
  static constexpr Versions kVersions{2, 7};

  int32_t throttle_time_ms = 0;                   ///< v3+
  std::vector<OffsetCommitResponseTopic> topics;  ///< per topic

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("throttle_time_ms", throttle_time_ms, {3});
    v.Array("topics", topics);
  }
  bool operator==(const OffsetCommitResponse&) const = default;
};

}  // namespace gregor
