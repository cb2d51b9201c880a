// SPDX-License-Identifier: Apache-2.0
// The admin client: create, delete, list and describe topics; list,
// describe and delete consumer groups and read or reset their committed
// offsets; look up partition offsets (Kafka's Admin / KafkaAdminClient,
// synchronous here).
//
//   auto admin = gregor::AdminClient::Create({.bootstrap_servers = "localhost:9092"});
//   if (!admin.ok()) ...;
//   Status s = (*admin)->CreateTopics({{"orders", 3, 1}});
//   auto topics = (*admin)->ListTopics();
//
// Each call blocks until the brokers answer or request.timeout.ms passes,
// and returns Kafka's error codes: TOPIC_ALREADY_EXISTS,
// UNKNOWN_TOPIC_OR_PARTITION, NETWORK_EXCEPTION, REQUEST_TIMED_OUT,
// UNSUPPORTED_VERSION ... Requests go through a NetworkClient (one network
// thread per AdminClient); metadata is cached and refreshed per call.
// Thread-safe: calls from several threads are serialized.
//
// Group calls first ask any broker for the group's coordinator
// (FindCoordinator) and then send the group request there. While the
// coordinator is not ready (COORDINATOR_NOT_AVAILABLE,
// COORDINATOR_LOAD_IN_PROGRESS, or NOT_COORDINATOR after a move) the call
// looks again with a growing backoff until request.timeout.ms is spent,
// then fails with the last of those errors.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/node.h"
#include "common/errors.h"
#include "gregor/consumer.h"  // OffsetAndMetadata: Kafka's Admin shares the consumer's
#include "storage/topic_partition.h"

namespace gregor {

/// AdminClient settings; Kafka's property names and defaults.
struct AdminConfig {
  std::string bootstrap_servers;           ///< bootstrap.servers, "host:port,..."
  std::string client_id = "gregor-admin";  ///< client.id
  int64_t request_timeout_ms = 30000;      ///< request.timeout.ms
};

/// A topic to create (Kafka's NewTopic). -1 asks for the broker's default.
struct NewTopic {
  std::string name;                 ///< the topic
  int32_t num_partitions = -1;      ///< partitions, or -1
  int16_t replication_factor = -1;  ///< replicas per partition, or -1
  /// Topic config overrides (cleanup.policy, retention.ms …); the broker
  /// refuses an unknown key or bad value with INVALID_CONFIG.
  std::map<std::string, std::string> configs;
};

/// One partition of a described topic (Kafka's TopicPartitionInfo).
struct TopicPartitionInfo {
  int32_t partition = 0;          ///< partition index
  int32_t leader = -1;            ///< leader node id, -1 if none
  std::vector<int32_t> replicas;  ///< replica node ids
  std::vector<int32_t> isr;       ///< in-sync replica node ids
};

/// A described topic (Kafka's TopicDescription).
struct TopicDescription {
  std::string name;                            ///< the topic
  bool internal = false;                       ///< e.g. __consumer_offsets
  std::vector<TopicPartitionInfo> partitions;  ///< sorted by index
};

/// A group as ListGroups reports it (Kafka's ConsumerGroupListing).
struct ConsumerGroupListing {
  std::string group_id;  ///< the group
  /// True when the group has no protocol type: it only stores offsets
  /// committed by consumers that assign partitions themselves.
  bool is_simple_consumer_group = false;
  std::string protocol_type;  ///< "consumer", or "" (simple)
};

/// One member of a described group (Kafka's MemberDescription).
struct MemberDescription {
  std::string member_id;                         ///< given by the coordinator
  std::optional<std::string> group_instance_id;  ///< static membership
  std::string client_id;                         ///< the member's client.id
  std::string host;                              ///< e.g. "/127.0.0.1"
  /// Its partitions, decoded from the ConsumerProtocolAssignment; empty
  /// outside the Stable state or for a non-consumer protocol type.
  std::vector<TopicPartition> assignment;
};

/// A described group (Kafka's ConsumerGroupDescription).
struct ConsumerGroupDescription {
  std::string group_id;                   ///< the group
  bool is_simple_consumer_group = false;  ///< protocol type ""
  /// Kafka's state names: "Empty", "PreparingRebalance",
  /// "CompletingRebalance", "Stable", or "Dead" for an unknown group.
  std::string state;
  std::string partition_assignor;          ///< the chosen protocol, e.g. "range"
  Node coordinator;                        ///< the broker that answered
  std::vector<MemberDescription> members;  ///< sorted by member id
};

/// Which offset ListOffsets looks up (Kafka's OffsetSpec).
struct OffsetSpec {
  int64_t timestamp = -1;                        ///< -1 latest, -2 earliest, else a time in ms
  static OffsetSpec Earliest() { return {-2}; }  ///< the log start offset
  static OffsetSpec Latest() { return {-1}; }    ///< the high watermark
  /// The first offset whose timestamp is >= ms.
  static OffsetSpec ForTimestamp(int64_t ms) { return {ms}; }
};

/// One partition's answer to ListOffsets (Kafka's ListOffsetsResultInfo).
struct ListOffsetsResultInfo {
  int64_t offset = -1;     ///< the offset found, -1 if none
  int64_t timestamp = -1;  ///< its record's timestamp, -1 for earliest/latest
};

/// Synchronous topic administration over NetworkClient; see the file comment.
class AdminClient {
 public:
  /// Parses the config and starts the network thread; no connection is
  /// made until the first call. Errors: INVALID_CONFIG (bootstrap.servers).
  static Result<std::unique_ptr<AdminClient>> Create(const AdminConfig& config);
  ~AdminClient();

  /// Creates the topics (CreateTopics, sent to the controller). Returns ok,
  /// or the first failure with the topic named in the message.
  Status CreateTopics(const std::vector<NewTopic>& topics);
  /// Deletes the topics (DeleteTopics). Ok, or the first failure.
  Status DeleteTopics(const std::vector<std::string>& names);
  /// The names of all non-internal topics, sorted.
  Result<std::vector<std::string>> ListTopics();
  /// Describes the topics; an unknown one fails the call with
  /// UNKNOWN_TOPIC_OR_PARTITION. An empty list describes every topic.
  Result<std::vector<TopicDescription>> DescribeTopics(const std::vector<std::string>& names);

  // Consumer groups (admin_client_groups.cpp).

  /// Every group of every broker (ListGroups to each), sorted by id.
  /// Errors: the first broker's error, e.g. COORDINATOR_LOAD_IN_PROGRESS.
  Result<std::vector<ConsumerGroupListing>> ListConsumerGroups();
  /// Describes the groups (FindCoordinator, then DescribeGroups at the
  /// coordinator), in the order asked. A group the coordinator does not
  /// know comes back in state "Dead" with no members, as in Kafka.
  /// Errors: the first group-level error, naming the group.
  Result<std::vector<ConsumerGroupDescription>> DescribeConsumerGroups(
      const std::vector<std::string>& group_ids);
  /// The group's committed offsets (OffsetFetch): for `partitions`, or for
  /// every partition with a commit when it is nullopt. Partitions without
  /// a commit are left out. Errors: group-level (e.g. GROUP_AUTHORIZATION)
  /// or the first partition-level error.
  Result<std::map<TopicPartition, OffsetAndMetadata>> ListConsumerGroupOffsets(
      const std::string& group_id,
      const std::optional<std::vector<TopicPartition>>& partitions = std::nullopt);
  /// Commits `offsets` for the group as a non-member (OffsetCommit with
  /// generation -1 and member id ""). Only an Empty (or new) group takes
  /// them: for one with members the coordinator answers UNKNOWN_MEMBER_ID,
  /// returned with a message saying the group must be empty first.
  Status AlterConsumerGroupOffsets(const std::string& group_id,
                                   const std::map<TopicPartition, OffsetAndMetadata>& offsets);
  /// Deletes the groups and their offsets (DeleteGroups at each group's
  /// coordinator). One Status per group: ok, NON_EMPTY_GROUP,
  /// GROUP_ID_NOT_FOUND, or a failure to reach the coordinator.
  std::map<std::string, Status> DeleteConsumerGroups(const std::vector<std::string>& group_ids);
  /// Looks up offsets (ListOffsets to each partition's leader). Errors:
  /// UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE or the first
  /// partition-level error, naming the partition.
  Result<std::map<TopicPartition, ListOffsetsResultInfo>> ListOffsets(
      const std::map<TopicPartition, OffsetSpec>& partitions);

  class Impl;  ///< the NetworkClient and Metadata behind the API

 private:
  explicit AdminClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gregor
