// SPDX-License-Identifier: Apache-2.0
// The records of the `__cluster_metadata` log, in Kafka's KRaft format
// (see chapters/formats-metadata.md). Each record is the value of one
// record in an ordinary v2 batch (the key is null):
//
//   MetadataRecord => frameVersion uvarint (= 1)
//                     apiKey       uvarint (record type below)
//                     version      uvarint
//                     body         flexible encoding (compact strings and
//                                  arrays, tagged fields) of that type
//
// Types used so far: TopicRecord (2), PartitionRecord (3), ConfigRecord (4),
// RemoveTopicRecord (9). The bodies are declared once, like protocol
// messages, and coded by the same visitors (src/protocol/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/errors.h"
#include "protocol/field_visitor.h"

namespace gregor {

/// A topic came into being: its name and id (apiKey 2, version 0).
struct TopicRecord {
  static constexpr int16_t kType = 2;
  std::string name;
  Uuid topic_id{};
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    v.UuidField("topic_id", topic_id);
  }
};

/// One partition of a topic, with its replicas and leader (apiKey 3, v0).
struct PartitionRecord {
  static constexpr int16_t kType = 3;
  int32_t partition_id = -1;
  Uuid topic_id{};
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  std::vector<int32_t> removing_replicas;
  std::vector<int32_t> adding_replicas;
  int32_t leader = -1;
  int32_t leader_epoch = -1;
  int32_t partition_epoch = -1;
  template <class V>
  void Fields(V& v) {
    v.Int32("partition_id", partition_id);
    v.UuidField("topic_id", topic_id);
    v.Array("replicas", replicas);
    v.Array("isr", isr);
    v.Array("removing_replicas", removing_replicas);
    v.Array("adding_replicas", adding_replicas);
    v.Int32("leader", leader);
    v.Int32("leader_epoch", leader_epoch);
    v.Int32("partition_epoch", partition_epoch);
  }
};

/// A config set (value) or removed (null) on a resource (apiKey 4, v0).
/// resource_type 2 = topic, 4 = broker (Kafka's ConfigResource.Type).
struct ConfigRecord {
  static constexpr int16_t kType = 4;
  int8_t resource_type = 2;
  std::string resource_name;
  std::string name;
  std::optional<std::string> value;
  template <class V>
  void Fields(V& v) {
    v.Int8("resource_type", resource_type);
    v.String("resource_name", resource_name);
    v.String("name", name);
    v.NullableString("value", value);
  }
};

/// A topic was deleted (apiKey 9, v0).
struct RemoveTopicRecord {
  static constexpr int16_t kType = 9;
  Uuid topic_id{};
  template <class V>
  void Fields(V& v) {
    v.UuidField("topic_id", topic_id);
  }
};

/// Any metadata record Gregor reads.
using MetadataRecord = std::variant<TopicRecord, PartitionRecord, ConfigRecord, RemoveTopicRecord>;

/// The framed bytes of one record (the value of a log record).
Bytes EncodeMetadataRecord(const MetadataRecord& record);
/// Decodes a framed record. Errors: CORRUPT_MESSAGE (bad frame, unknown
/// type or version, malformed body).
Result<MetadataRecord> DecodeMetadataRecord(ByteSpan value);

}  // namespace gregor
