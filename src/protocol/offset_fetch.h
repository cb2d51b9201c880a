// SPDX-License-Identifier: Apache-2.0
// OffsetFetch (key 9), versions 1-5: the offsets a group has committed,
// read by a member after it is assigned partitions (where to resume) and
// by tools (consumer lag).
//
//   request  group_id,
//            topics[name, partition_indexes[int32]] (null = all, v2+)
//   response throttle_time_ms (v3+),
//            topics[name, partitions[partition_index, committed_offset,
//                   committed_leader_epoch (v5+), metadata (nullable),
//                   error_code]],
//            error_code (v2+)
//
// A partition without a committed offset answers offset -1, metadata ""
// and no error. v0 read ZooKeeper and is not declared. v6 is the first
// flexible version (librdkafka moves there if advertised; client-compat.md
// caps at 5); v7 adds require_stable, v8 batches groups.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// The partitions of one topic whose offsets are wanted.
struct OffsetFetchRequestTopic {
  std::string name;                        ///< the topic
  std::vector<int32_t> partition_indexes;  ///< its partitions

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    v.Array("partition_indexes", partition_indexes);
  }
  bool operator==(const OffsetFetchRequestTopic&) const = default;
};

/// OffsetFetch request.
struct OffsetFetchRequest {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetFetch;
  static constexpr Versions kVersions{1, 5};

  std::string group_id;  ///< the group
  /// The partitions wanted; null (v2+) for every committed partition. A
  /// null encoded at v1 is written as an empty array.
  std::optional<std::vector<OffsetFetchRequestTopic>> topics =
      std::vector<OffsetFetchRequestTopic>{};

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("group_id", group_id);
    v.NullableArray("topics", topics, {}, {2});
  }
  bool operator==(const OffsetFetchRequest&) const = default;
};

/// One partition's committed offset.
struct OffsetFetchResponsePartition {
  int32_t partition_index = 0;              ///< the partition
  int64_t committed_offset = -1;            ///< -1 if none
  int32_t committed_leader_epoch = -1;      ///< v5+
  std::optional<std::string> metadata;      ///< as committed
  ErrorCode error_code = ErrorCode::kNone;  ///< partition-level error

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("partition_index", partition_index);
    v.Int64("committed_offset", committed_offset);
    v.Int32("committed_leader_epoch", committed_leader_epoch, {5});
    v.NullableString("metadata", metadata);
    v.Error("error_code", error_code);
  }
  bool operator==(const OffsetFetchResponsePartition&) const = default;
};

/// One topic's committed offsets.
struct OffsetFetchResponseTopic {
  std::string name;                                      ///< the topic
  std::vector<OffsetFetchResponsePartition> partitions;  ///< per partition

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    v.Array("partitions", partitions);
  }
  bool operator==(const OffsetFetchResponseTopic&) const = default;
};

/// OffsetFetch response.
struct OffsetFetchResponse {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetFetch;
  static constexpr Versions kVersions{1, 5};

  int32_t throttle_time_ms = 0;                  ///< v3+
  std::vector<OffsetFetchResponseTopic> topics;  ///< per topic
  ErrorCode error_code = ErrorCode::kNone;       ///< v2+, group-level error

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("throttle_time_ms", throttle_time_ms, {3});
    v.Array("topics", topics);
    v.Error("error_code", error_code, {2});
  }
  bool operator==(const OffsetFetchResponse&) const = default;
};

}  // namespace gregor
