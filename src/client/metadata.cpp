// SPDX-License-Identifier: Apache-2.0
#include "client/metadata.h"

#include <algorithm>

namespace gregor {

Metadata::Metadata(std::vector<Node> bootstrap, int64_t metadata_max_age_ms)
    : bootstrap_(std::move(bootstrap)), metadata_max_age_ms_(metadata_max_age_ms) {}

void Metadata::Update(const MetadataResponse& response, int64_t now_ms) {
  std::map<int32_t, Node> nodes;
  for (const auto& b : response.brokers) nodes[b.node_id] = Node{b.node_id, b.host, b.port};
  std::map<std::string, TopicMetadata> topics;
  for (const auto& t : response.topics) {
    TopicMetadata tm{t.name, t.error_code, t.is_internal, {}};
    for (const auto& p : t.partitions) {
      tm.partitions.push_back(PartitionMetadata{p.partition_index, p.error_code, p.leader_id,
                                                p.replica_nodes, p.isr_nodes});
    }
    std::sort(tm.partitions.begin(), tm.partitions.end(),
              [](const auto& a, const auto& b) { return a.partition < b.partition; });
    topics[t.name] = std::move(tm);
  }
  std::lock_guard lock(mu_);
  nodes_ = std::move(nodes);
  topics_ = std::move(topics);
  controller_id_ = response.controller_id;
  cluster_id_ = response.cluster_id;
  last_refresh_ms_ = now_ms;
  need_update_ = false;
}

void Metadata::RequestUpdate() {
  std::lock_guard lock(mu_);
  need_update_ = true;
}

bool Metadata::UpdateRequested(int64_t now_ms) const { return TimeToNextUpdate(now_ms) == 0; }

// [client-metadata-stale]
int64_t Metadata::TimeToNextUpdate(int64_t now_ms) const {
  std::lock_guard lock(mu_);
  if (need_update_ || !last_refresh_ms_) return 0;
  return std::max<int64_t>(0, *last_refresh_ms_ + metadata_max_age_ms_ - now_ms);
}
// [client-metadata-stale]

// [client-metadata-handle-error]
bool Metadata::HandleError(ErrorCode error) {
  switch (error) {
    case ErrorCode::kNotLeaderOrFollower:
    case ErrorCode::kLeaderNotAvailable:
    case ErrorCode::kUnknownTopicOrPartition:
    case ErrorCode::kFencedLeaderEpoch:
      RequestUpdate();
      return true;
    default:
      return false;
  }
}
// [client-metadata-handle-error]

std::vector<Node> Metadata::Nodes() const {
  std::lock_guard lock(mu_);
  if (nodes_.empty()) return bootstrap_;
  std::vector<Node> out;
  for (const auto& [id, n] : nodes_) out.push_back(n);
  return out;
}

std::optional<Node> Metadata::NodeById(int32_t id) const {
  std::lock_guard lock(mu_);
  if (auto it = nodes_.find(id); it != nodes_.end()) return it->second;
  for (const auto& n : bootstrap_) {
    if (n.id == id) return n;
  }
  return std::nullopt;
}

std::optional<Node> Metadata::Controller() const {
  std::lock_guard lock(mu_);
  if (auto it = nodes_.find(controller_id_); it != nodes_.end()) return it->second;
  return std::nullopt;
}

std::optional<Node> Metadata::Leader(const std::string& topic, int32_t partition) const {
  std::lock_guard lock(mu_);
  auto t = topics_.find(topic);
  if (t == topics_.end()) return std::nullopt;
  for (const auto& p : t->second.partitions) {
    if (p.partition != partition) continue;
    if (auto n = nodes_.find(p.leader); n != nodes_.end()) return n->second;
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<TopicMetadata> Metadata::Topic(const std::string& topic) const {
  std::lock_guard lock(mu_);
  if (auto t = topics_.find(topic); t != topics_.end()) return t->second;
  return std::nullopt;
}

std::set<std::string> Metadata::TopicNames() const {
  std::lock_guard lock(mu_);
  std::set<std::string> out;
  for (const auto& [name, t] : topics_) {
    if (t.error == ErrorCode::kNone) out.insert(name);
  }
  return out;
}

std::optional<std::string> Metadata::ClusterId() const {
  std::lock_guard lock(mu_);
  return cluster_id_;
}

}  // namespace gregor
