// SPDX-License-Identifier: Apache-2.0
// KafkaApis: CreateTopics and DeleteTopics (kafka_apis.h), the admin path.
// Both hand each topic to the TopicRegistry, which validates, writes the
// metadata log and tells the broker; errors come back per topic.
#include <map>
#include <set>

#include "common/logging.h"
#include "protocol/create_topics.h"
#include "protocol/delete_topics.h"
#include "server/kafka_apis.h"

namespace gregor {

ApiResponse KafkaApis::HandleCreateTopics(const ParsedRequest& req) {
  auto body = Decode<CreateTopicsRequest>(req.body, req.header.api_version);
  if (!body.ok()) return Unreadable(req, body.status());

  // Kafka refuses every copy of a name that appears twice in one request.
  std::map<std::string, int> seen;
  for (const CreatableTopic& t : body->topics) ++seen[t.name];

  // One request creates at most this many partitions in all: a single
  // num_partitions of 2^31-1 would otherwise make the broker build that
  // many metadata records and log directories (found by request_fuzzer).
  int64_t budget = config_.GetInt("gregor.create.topics.max.partitions");
  CreateTopicsResponse response;
  for (const CreatableTopic& t : body->topics) {
    CreatableTopicResult& out = response.topics.emplace_back();
    out.name = t.name;
    auto fail = [&out](ErrorCode code, std::string message) {
      out.error_code = code;
      out.error_message = std::move(message);
    };
    if (seen[t.name] > 1) {
      fail(ErrorCode::kInvalidRequest,
           "Create topics request from client contains a duplicate topic");
      continue;
    }
    int32_t partitions =
        t.num_partitions == -1 ? config_.GetInt("num.partitions") : t.num_partitions;
    if (!t.assignments.empty()) {
      // Manual assignments only make sense on one node if every replica
      // list is this node; the partitions are then 0..n-1.
      if (t.num_partitions != -1 || t.replication_factor != -1) {
        fail(ErrorCode::kInvalidRequest,
             "Both numPartitions or replicationFactor and replicasAssignments were set");
        continue;
      }
      std::set<int32_t> indexes;
      bool ok = true;
      for (const CreatableReplicaAssignment& a : t.assignments) {
        ok = ok && a.broker_ids == std::vector<int32_t>{node_id_} &&
             indexes.insert(a.partition_index).second;
      }
      ok = ok && *indexes.begin() == 0 && *indexes.rbegin() == int32_t(indexes.size()) - 1;
      if (!ok) {
        fail(ErrorCode::kInvalidRequest, "Replica assignments must list only broker " +
                                             std::to_string(node_id_) + " for partitions 0..n-1");
        continue;
      }
      partitions = int32_t(indexes.size());
    }
    if (partitions > budget) {
      fail(ErrorCode::kInvalidPartitions,
           "Number of partitions " + std::to_string(partitions) +
               " exceeds what this request may still create (" + std::to_string(budget) +
               " of gregor.create.topics.max.partitions)");
      continue;
    }
    if (partitions > 0) budget -= partitions;
    std::map<std::string, std::string> configs;
    for (const CreatableTopicConfig& c : t.configs) {
      if (c.value) configs[c.name] = *c.value;  // null: the broker default
    }
    Status s =
        topics_.CreateTopic(t.name, partitions, t.replication_factor, configs, body->validate_only);
    if (!s.ok()) fail(s.code(), s.message());
  }
  return Send(req, response);
}

ApiResponse KafkaApis::HandleDeleteTopics(const ParsedRequest& req) {
  auto body = Decode<DeleteTopicsRequest>(req.body, req.header.api_version);
  if (!body.ok()) return Unreadable(req, body.status());

  bool enabled = config_.GetBool("delete.topic.enable");
  DeleteTopicsResponse response;
  for (const std::string& name : body->topic_names) {
    DeletableTopicResult& out = response.responses.emplace_back();
    out.name = name;
    out.error_code = enabled ? topics_.DeleteTopic(name).code() : ErrorCode::kTopicDeletionDisabled;
  }
  return Send(req, response);
}

}  // namespace gregor
