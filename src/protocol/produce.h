// SPDX-License-Identifier: Apache-2.0
// Produce (key 0), versions 3-7: append record batches to partitions.
//
//   request  transactional_id (nullable, v3+), acks, timeout_ms,
//            topic_data[name, partition_data[index, records]]
//   response responses[name, partition_responses[index, error_code,
//                       base_offset, log_append_time_ms v2+,
//                       log_start_offset v5+]], throttle_time_ms (v1+)
//
// v3 is the first with record batch v2 (magic 2), the only format Gregor
// stores; v4-7 change only error semantics, not the layout. acks = 0
// means the broker sends no response at all.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// The records for one partition in a Produce request.
struct PartitionProduceData {
  int32_t index = 0;      ///< partition
  NullableBytes records;  ///< one or more record batches, as sent

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("index", index);
    v.Records("records", records);
  }
  bool operator==(const PartitionProduceData&) const = default;
};

/// One topic's partitions in a Produce request.
struct TopicProduceData {
  std::string name;                                  ///< the topic
  std::vector<PartitionProduceData> partition_data;  ///< per partition

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    v.Array("partition_data", partition_data);
  }
  bool operator==(const TopicProduceData&) const = default;
};

/// Produce request.
struct ProduceRequest {
  static constexpr ApiKey kApiKey = ApiKey::kProduce;
  static constexpr Versions kVersions{3, 7};

  std::optional<std::string> transactional_id;  ///< v3+, null unless transactional
  int16_t acks = 0;                             ///< 0, 1 or -1 (all)
  int32_t timeout_ms = 0;                       ///< wait for acks at most this long
  std::vector<TopicProduceData> topic_data;     ///< per topic

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.NullableString("transactional_id", transactional_id, {3});
    v.Int16("acks", acks);
    v.Int32("timeout_ms", timeout_ms);
    v.Array("topic_data", topic_data);
  }
  bool operator==(const ProduceRequest&) const = default;
};

// [protocol-produce-partition]
/// The outcome for one partition of a Produce request.
struct PartitionProduceResponse {
  int32_t index = 0;                        ///< partition
  ErrorCode error_code = ErrorCode::kNone;  ///< the append's result
  int64_t base_offset = -1;                 ///< offset of the first record
  int64_t log_append_time_ms = -1;          ///< v2+, -1 for CreateTime topics
  int64_t log_start_offset = -1;            ///< v5+

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Int32("index", index);
    v.Error("error_code", error_code);
    v.Int64("base_offset", base_offset);
    v.Int64("log_append_time_ms", log_append_time_ms, {2});
    v.Int64("log_start_offset", log_start_offset, {5});
  }
  bool operator==(const PartitionProduceResponse&) const = default;
};
// [protocol-produce-partition]

/// One topic's results in a Produce response.
struct TopicProduceResponse {
  std::string name;                                           ///< the topic
  std::vector<PartitionProduceResponse> partition_responses;  ///< per partition

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    v.Array("partition_responses", partition_responses);
  }
  bool operator==(const TopicProduceResponse&) const = default;
};

/// Produce response.
struct ProduceResponse {
  static constexpr ApiKey kApiKey = ApiKey::kProduce;
  static constexpr Versions kVersions{3, 7};

  std::vector<TopicProduceResponse> responses;  ///< per topic
  int32_t throttle_time_ms = 0;                 ///< v1+

  /// The wire layout; see field_visitor.h.
  template <class V>
  void Fields(V& v) {
    v.Array("responses", responses);
    v.Int32("throttle_time_ms", throttle_time_ms, {1});
  }
  bool operator==(const ProduceResponse&) const = default;
};

}  // namespace gregor
