// SPDX-License-Identifier: Apache-2.0
// ListOffsets (key 2), versions 1-3: the offset for a timestamp, or the
// log's start (timestamp -2) or end (-1).
//
//   request  replica_id, isolation_level (v2+),
//            topics[name, partitions[partition_index, timestamp]]
//   response throttle_time_ms (v2+),
//            topics[name, partitions[partition_index, error_code,
//                   timestamp, offset]]
//
// v0 (max_num_offsets, old_style_offsets) is not implemented; with
// isolation_level 1 "latest" is the last stable offset, not the high
// watermark (client-compat.md pitfall 7).
#pragma once

#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// Sentinel timestamps of a ListOffsets request.
inline constexpr int64_t kListOffsetsLatest = -1;    ///< the log end (or LSO)
inline constexpr int64_t kListOffsetsEarliest = -2;  ///< the log start

/// One partition asked about in a ListOffsets request.
struct ListOffsetsPartition {
  int32_t partition_index = 0;  ///< the partition
  int64_t timestamp = 0;        ///< ms, or kListOffsetsLatest / kListOffsetsEarliest

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("partition_index", partition_index);
    v.Int64("timestamp", timestamp);
  }
  bool operator==(const ListOffsetsPartition&) const = default;
};

/// One topic in a ListOffsets request.
struct ListOffsetsTopic {
  std::string name;                              ///< the topic
  std::vector<ListOffsetsPartition> partitions;  ///< per partition

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    v.Array("partitions", partitions);
  }
  bool operator==(const ListOffsetsTopic&) const = default;
};

/// ListOffsets request.
struct ListOffsetsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kListOffsets;
  static constexpr Versions kVersions{1, 3};

  int32_t replica_id = -1;               ///< -1 for consumers
  int8_t isolation_level = 0;            ///< v2+, 1 = read_committed
  std::vector<ListOffsetsTopic> topics;  ///< what to look up

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("replica_id", replica_id);
    v.Int8("isolation_level", isolation_level, {2});
    v.Array("topics", topics);
  }
  bool operator==(const ListOffsetsRequest&) const = default;
};

/// One partition's answer in a ListOffsets response.
struct ListOffsetsPartitionResponse {
  int32_t partition_index = 0;              ///< the partition
  ErrorCode error_code = ErrorCode::kNone;  ///< e.g. UNKNOWN_TOPIC_OR_PARTITION
  int64_t timestamp = -1;                   ///< timestamp of the found offset
  int64_t offset = -1;                      ///< the offset, -1 if none

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("partition_index", partition_index);
    v.Error("error_code", error_code);
    v.Int64("timestamp", timestamp, {1});
    v.Int64("offset", offset, {1});
  }
  bool operator==(const ListOffsetsPartitionResponse&) const = default;
};

/// One topic in a ListOffsets response.
struct ListOffsetsTopicResponse {
  std::string name;                                      ///< the topic
  std::vector<ListOffsetsPartitionResponse> partitions;  ///< per partition

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    v.Array("partitions", partitions);
  }
  bool operator==(const ListOffsetsTopicResponse&) const = default;
};

/// ListOffsets response.
struct ListOffsetsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kListOffsets;
  static constexpr Versions kVersions{1, 3};

  int32_t throttle_time_ms = 0;                  ///< v2+
  std::vector<ListOffsetsTopicResponse> topics;  ///< per topic

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("throttle_time_ms", throttle_time_ms, {2});
    v.Array("topics", topics);
  }
  bool operator==(const ListOffsetsResponse&) const = default;
};

}  // namespace gregor
