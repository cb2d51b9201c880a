// SPDX-License-Identifier: Apache-2.0
// Fetch (key 1), versions 4-11: read record batches from partitions;
// consumers and follower replicas both use it.
//
//   request  replica_id, max_wait_ms, min_bytes, max_bytes (v3+),
//            isolation_level (v4+), session_id, session_epoch (v7+),
//            topics[topic, partitions[partition, current_leader_epoch v9+,
//                   fetch_offset, log_start_offset v5+, partition_max_bytes]],
//            forgotten_topics_data[topic, partitions[int32]] (v7+),
//            rack_id (v11+)
//   response throttle_time_ms (v1+), error_code, session_id (v7+),
//            responses[topic, partitions[partition_index, error_code,
//                      high_watermark, last_stable_offset v4+,
//                      log_start_offset v5+,
//                      aborted_transactions[producer_id, first_offset]
//                        (v4+, nullable), preferred_read_replica v11+,
//                      records (nullable)]]
//
// Fetch sessions (KIP-227, v7+) are not implemented: the broker answers
// session_id 0, which tells the client to send full requests every time.
// Records are held as bytes; Sizer::RecordsLengthSize is the hook for
// sending them from a file instead (encoder.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// Where to read one partition in a Fetch request.
struct FetchPartition {
  int32_t partition = 0;              ///< the partition
  int32_t current_leader_epoch = -1;  ///< v9+, -1 if unknown
  int64_t fetch_offset = 0;           ///< first offset wanted
  int64_t log_start_offset = -1;      ///< v5+, followers only
  int32_t partition_max_bytes = 0;    ///< byte limit for this partition

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("partition", partition);
    v.Int32("current_leader_epoch", current_leader_epoch, {9});
    v.Int64("fetch_offset", fetch_offset);
    v.Int64("log_start_offset", log_start_offset, {5});
    v.Int32("partition_max_bytes", partition_max_bytes);
  }
  bool operator==(const FetchPartition&) const = default;
};

/// One topic's partitions in a Fetch request.
struct FetchTopic {
  std::string topic;                       ///< the topic
  std::vector<FetchPartition> partitions;  ///< per partition

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("topic", topic);
    v.Array("partitions", partitions);
  }
  bool operator==(const FetchTopic&) const = default;
};

/// Partitions an incremental fetch session should drop (v7+).
struct ForgottenTopic {
  std::string topic;                ///< the topic
  std::vector<int32_t> partitions;  ///< partitions to forget

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("topic", topic);
    v.Array("partitions", partitions);
  }
  bool operator==(const ForgottenTopic&) const = default;
};

/// Fetch request.
struct FetchRequest {
  static constexpr ApiKey kApiKey = ApiKey::kFetch;
  static constexpr Versions kVersions{4, 11};

  int32_t replica_id = -1;                            ///< -1 for consumers
  int32_t max_wait_ms = 0;                            ///< long-poll limit
  int32_t min_bytes = 0;                              ///< answer once this much is ready
  int32_t max_bytes = 0x7fffffff;                     ///< v3+, response byte limit
  int8_t isolation_level = 0;                         ///< v4+, 1 = read_committed
  int32_t session_id = 0;                             ///< v7+
  int32_t session_epoch = -1;                         ///< v7+
  std::vector<FetchTopic> topics;                     ///< what to read
  std::vector<ForgottenTopic> forgotten_topics_data;  ///< v7+
  std::string rack_id;                                ///< v11+

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("replica_id", replica_id);
    v.Int32("max_wait_ms", max_wait_ms);
    v.Int32("min_bytes", min_bytes);
    v.Int32("max_bytes", max_bytes, {3});
    v.Int8("isolation_level", isolation_level, {4});
    v.Int32("session_id", session_id, {7});
    v.Int32("session_epoch", session_epoch, {7});
    v.Array("topics", topics);
    v.Array("forgotten_topics_data", forgotten_topics_data, {7});
    v.String("rack_id", rack_id, {11});
  }
  bool operator==(const FetchRequest&) const = default;
};

/// A transaction aborted inside the returned records (read_committed).
struct AbortedTransaction {
  int64_t producer_id = 0;   ///< the aborting producer
  int64_t first_offset = 0;  ///< its first offset in the transaction

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int64("producer_id", producer_id);
    v.Int64("first_offset", first_offset);
  }
  bool operator==(const AbortedTransaction&) const = default;
};

/// The data and offsets of one partition in a Fetch response.
struct FetchPartitionData {
  int32_t partition_index = 0;              ///< the partition
  ErrorCode error_code = ErrorCode::kNone;  ///< e.g. OFFSET_OUT_OF_RANGE
  int64_t high_watermark = 0;               ///< last committed offset + 1
  int64_t last_stable_offset = -1;          ///< v4+
  int64_t log_start_offset = -1;            ///< v5+
  /// v4+; null or the aborted transactions overlapping the records.
  std::optional<std::vector<AbortedTransaction>> aborted_transactions;
  int32_t preferred_read_replica = -1;  ///< v11+
  NullableBytes records;                ///< record batches, possibly a partial last one

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("partition_index", partition_index);
    v.Error("error_code", error_code);
    v.Int64("high_watermark", high_watermark);
    v.Int64("last_stable_offset", last_stable_offset, {4});
    v.Int64("log_start_offset", log_start_offset, {5});
    v.NullableArray("aborted_transactions", aborted_transactions, {4}, {4});
    v.Int32("preferred_read_replica", preferred_read_replica, {11});
    v.Records("records", records);
  }
  bool operator==(const FetchPartitionData&) const = default;
};

/// One topic's partitions in a Fetch response.
struct FetchableTopicResponse {
  std::string topic;                           ///< the topic
  std::vector<FetchPartitionData> partitions;  ///< per partition

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("topic", topic);
    v.Array("partitions", partitions);
  }
  bool operator==(const FetchableTopicResponse&) const = default;
};

/// Fetch response.
struct FetchResponse {
  static constexpr ApiKey kApiKey = ApiKey::kFetch;
  static constexpr Versions kVersions{4, 11};

  int32_t throttle_time_ms = 0;                   ///< v1+
  ErrorCode error_code = ErrorCode::kNone;        ///< v7+, request-level error
  int32_t session_id = 0;                         ///< v7+, 0 = no session
  std::vector<FetchableTopicResponse> responses;  ///< per topic

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("throttle_time_ms", throttle_time_ms, {1});
    v.Error("error_code", error_code, {7});
    v.Int32("session_id", session_id, {7});
    v.Array("responses", responses);
  }
  bool operator==(const FetchResponse&) const = default;
};

}  // namespace gregor
