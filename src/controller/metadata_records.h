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
// Types used so far: RegisterBrokerRecord (0, at version 1), TopicRecord
// (2), PartitionRecord (3), ConfigRecord (4), RemoveTopicRecord (9), the
// last four at version 0. Each type names the version Gregor writes
// (kVersion); a reader accepts that version and older ones. The bodies are
// declared once, like protocol messages, and coded by the same visitors
// (src/protocol/).
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

/// One listener of a registered broker (Kafka's BrokerEndpoint, inside
/// RegisterBrokerRecord): a listener name, host, port and the id of its
/// security protocol (0 = PLAINTEXT, 1 = SSL, 2 = SASL_PLAINTEXT,
/// 3 = SASL_SSL; Kafka's SecurityProtocol ids).
struct BrokerEndpoint {
  std::string name;
  std::string host;
  uint16_t port = 0;
  int16_t security_protocol = 0;
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    v.String("host", host);
    // Kafka's uint16: two big-endian bytes, the same as an int16's. The
    // copy back happens only when decoding changed the value, so encoding
    // (which only reads) never writes to the record.
    int16_t wire = static_cast<int16_t>(port);
    v.Int16("port", wire);
    if (static_cast<uint16_t>(wire) != port) port = static_cast<uint16_t>(wire);
    v.Int16("security_protocol", security_protocol);
  }
};

/// A feature and the range of levels a broker supports (Kafka's
/// BrokerFeature, inside RegisterBrokerRecord).
struct BrokerFeature {
  std::string name;
  int16_t min_supported_version = 0;
  int16_t max_supported_version = 0;
  template <class V>
  void Fields(V& v) {
    v.String("name", name);
    v.Int16("min_supported_version", min_supported_version);
    v.Int16("max_supported_version", max_supported_version);
  }
};

/// A broker registered (apiKey 0, written at version 1): its id, the
/// incarnation (a random id per process start), the broker epoch (the
/// offset of this record in the metadata log), its listeners, features and
/// rack, and whether it is fenced. A later registration of the same broker
/// replaces an earlier one. Version 1 added in_controlled_shutdown;
/// versions 2 (is_migrating_zk_broker) and 3 (log_dirs, a tagged field of
/// directory ids) are not written: Gregor has neither ZooKeeper nor
/// directory ids.
struct RegisterBrokerRecord {
  static constexpr int16_t kType = 0;
  static constexpr int16_t kVersion = 1;
  int32_t broker_id = -1;
  Uuid incarnation_id{};
  int64_t broker_epoch = -1;
  std::vector<BrokerEndpoint> end_points;
  std::vector<BrokerFeature> features;
  std::optional<std::string> rack;
  bool fenced = true;
  bool in_controlled_shutdown = false;
  template <class V>
  void Fields(V& v) {
    v.Int32("broker_id", broker_id);
    v.UuidField("incarnation_id", incarnation_id);
    v.Int64("broker_epoch", broker_epoch);
    v.Array("end_points", end_points);
    v.Array("features", features);
    v.NullableString("rack", rack);
    v.Bool("fenced", fenced);
    v.Bool("in_controlled_shutdown", in_controlled_shutdown, {1});
  }
};

/// A topic came into being: its name and id (apiKey 2, version 0).
struct TopicRecord {
  static constexpr int16_t kType = 2;
  static constexpr int16_t kVersion = 0;
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
  static constexpr int16_t kVersion = 0;
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
  static constexpr int16_t kVersion = 0;
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
  static constexpr int16_t kVersion = 0;
  Uuid topic_id{};
  template <class V>
  void Fields(V& v) {
    v.UuidField("topic_id", topic_id);
  }
};

/// Any metadata record Gregor reads.
using MetadataRecord = std::variant<RegisterBrokerRecord, TopicRecord, PartitionRecord,
                                    ConfigRecord, RemoveTopicRecord>;

/// The framed bytes of one record (the value of a log record), at its
/// type's kVersion.
Bytes EncodeMetadataRecord(const MetadataRecord& record);
/// Decodes a framed record of any version from 0 to its type's kVersion.
/// Errors: CORRUPT_MESSAGE (bad frame, unknown type, a newer version,
/// malformed body).
Result<MetadataRecord> DecodeMetadataRecord(ByteSpan value);

}  // namespace gregor
