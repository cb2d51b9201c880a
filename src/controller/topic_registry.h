// SPDX-License-Identifier: Apache-2.0
// TopicRegistry: the single-node controller's view of topics — which exist,
// their ids, partition counts and configs — and of broker registrations,
// kept as records in the `__cluster_metadata-0` log (Kafka's KRaft
// metadata log, one voter).
//
// Every change is first appended to the metadata log as Kafka's metadata
// records (RegisterBrokerRecord, TopicRecord, PartitionRecord,
// ConfigRecord, RemoveTopicRecord; see chapters/formats-metadata.md),
// flushed, and only then applied to the
// in-memory image and announced to the listener (the broker, which makes
// or stops its partitions). On start the log is replayed from the
// beginning, so topics survive restarts and kill -9 exactly as far as the
// log does. Chapter 05 replaces the single writer with a Raft quorum; the
// records and the replay stay.
//
// Thread-safety: all methods are thread-safe (one mutex). The listener is
// called under that mutex, so changes reach it in log order; it must not
// call back into the registry.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/errors.h"
#include "controller/metadata_records.h"
#include "protocol/field_visitor.h"
#include "storage/log.h"

namespace gregor {

/// A topic id: Kafka's 16-byte UUID (random, never all zero).
using TopicId = Uuid;

/// A random Kafka UUID, never all zero (topic ids, incarnation ids).
/// Thread-safe.
Uuid RandomUuid();

/// What the registry knows of one topic.
struct TopicInfo {
  std::string name;
  TopicId id{};
  int32_t partitions = 0;
  /// Topic-level config overrides (retention.ms, segment.bytes …).
  std::map<std::string, std::string> configs;
};

/// A change the broker must act on.
struct TopicChange {
  enum class Kind { kCreated, kDeleted };
  Kind kind;
  TopicInfo topic;
};

/// Topics of the cluster, persisted in the metadata log; see the file comment.
class TopicRegistry {
 public:
  using Listener = std::function<void(const TopicChange&)>;

  /// Opens (or creates) the metadata log at `dir` and replays it; every
  /// topic found is announced to `listener` as kCreated before Open
  /// returns. Errors: KAFKA_STORAGE_ERROR, CORRUPT_MESSAGE (a record that
  /// does not decode).
  /// `node_id` is the one replica and leader of every partition.
  static Result<std::unique_ptr<TopicRegistry>> Open(Env& env, const std::string& dir,
                                                     Clock& clock, Listener listener,
                                                     int32_t node_id = 1);

  /// Creates `name` with `partitions` partitions and `configs`.
  /// Errors: INVALID_TOPIC_EXCEPTION (illegal name), TOPIC_ALREADY_EXISTS,
  /// INVALID_PARTITIONS (< 1), INVALID_REPLICATION_FACTOR (not 1 and not
  /// -1 on one node), INVALID_CONFIG (an unknown topic config key),
  /// KAFKA_STORAGE_ERROR. With `validate_only` nothing is written.
  Status CreateTopic(const std::string& name, int32_t partitions, int16_t replication_factor,
                     const std::map<std::string, std::string>& configs, bool validate_only = false);

  /// Deletes `name`. Errors: UNKNOWN_TOPIC_OR_PARTITION, KAFKA_STORAGE_ERROR.
  Status DeleteTopic(const std::string& name);

  std::optional<TopicInfo> Find(const std::string& name) const;
  std::vector<TopicInfo> AllTopics() const;

  /// Registers a broker (Kafka's QuorumController.registerBroker): appends
  /// `registration` as a RegisterBrokerRecord whose broker_epoch is the
  /// offset the record gets in the metadata log, so every registration has
  /// a larger epoch than the ones before it. The caller fills in the rest
  /// (a fresh incarnation_id per process start, endpoints, fenced). Returns
  /// the record as written. Errors: KAFKA_STORAGE_ERROR.
  Result<RegisterBrokerRecord> RegisterBroker(RegisterBrokerRecord registration);
  /// The latest registration of `broker_id` (replay keeps the last one
  /// written), or nullopt if it never registered.
  std::optional<RegisterBrokerRecord> FindBroker(int32_t broker_id) const;
  /// The latest registration of every broker, by id.
  std::vector<RegisterBrokerRecord> Brokers() const;

  /// The topic configs Kafka accepts and Gregor applies (for validation).
  static bool IsKnownTopicConfig(const std::string& key);

 private:
  TopicRegistry(std::unique_ptr<Log> log, Clock& clock, Listener listener, int32_t node_id);
  Status Replay();
  // REQUIRES: mu_ held. Appends the records as one batch and flushes.
  Status Persist(const std::vector<MetadataRecord>& records);
  // REQUIRES: mu_ held. Applies one record to topics_, names_, brokers_.
  void Apply(const MetadataRecord& record);

  std::unique_ptr<Log> log_;
  Clock& clock_;
  Listener listener_;
  const int32_t node_id_;
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, TopicInfo> topics_;
  std::map<TopicId, std::string> names_;  // topic id -> name
  std::map<int32_t, RegisterBrokerRecord> brokers_;  // broker id -> latest
};

/// The log config of a topic: the broker defaults with its overrides applied.
/// Errors: INVALID_CONFIG for a value that does not parse.
Result<LogConfig> TopicLogConfig(const LogConfig& defaults,
                                 const std::map<std::string, std::string>& overrides);

}  // namespace gregor
