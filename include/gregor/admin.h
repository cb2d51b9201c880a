// SPDX-License-Identifier: Apache-2.0
// The admin client: create, delete, list and describe topics (Kafka's
// Admin / KafkaAdminClient, synchronous here).
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
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/errors.h"

namespace gregor {

/// AdminClient settings; Kafka's property names and defaults.
struct AdminConfig {
  std::string bootstrap_servers;       ///< bootstrap.servers, "host:port,..."
  std::string client_id = "gregor-admin";  ///< client.id
  int64_t request_timeout_ms = 30000;  ///< request.timeout.ms
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

  class Impl;  ///< the NetworkClient and Metadata behind the API

 private:
  explicit AdminClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gregor
