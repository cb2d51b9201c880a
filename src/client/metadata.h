// SPDX-License-Identifier: Apache-2.0
// Metadata: the client's cached view of the cluster (Kafka's Metadata and
// Cluster): the brokers by node id, and for each known topic its
// partitions with their leaders, replicas and in-sync replicas.
//
// The cache starts from the bootstrap servers (ids -1, -2, ...) and is
// replaced wholesale by each Metadata response passed to Update(). It asks
// to be refreshed (UpdateRequested) when
//   * a caller says so (RequestUpdate), e.g. for a topic it lacks;
//   * it is older than metadata.max.age.ms (Kafka's default 5 minutes);
//   * a caller reports a partition error that means "your map is wrong":
//     NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE,
//     UNKNOWN_TOPIC_OR_PARTITION, FENCED_LEADER_EPOCH (HandleError).
// Fetching is the caller's job (AdminClient, later the producer's Sender),
// through NetworkClient: Metadata only holds the result and says when it is
// stale, which keeps it free of I/O and trivially testable.
//
// Thread-safe: every method takes mu_, so a caller thread may look up
// leaders while the network thread applies an update.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/node.h"
#include "common/errors.h"
#include "protocol/metadata.h"

namespace gregor {

/// One partition as the last Metadata response described it.
struct PartitionMetadata {
  int32_t partition = 0;                    ///< partition index
  ErrorCode error = ErrorCode::kNone;       ///< e.g. LEADER_NOT_AVAILABLE
  int32_t leader = -1;                      ///< leader node id, -1 if none
  std::vector<int32_t> replicas;            ///< replica node ids
  std::vector<int32_t> isr;                 ///< in-sync replica node ids
};

/// One topic as the last Metadata response described it.
struct TopicMetadata {
  std::string name;                           ///< the topic
  ErrorCode error = ErrorCode::kNone;         ///< e.g. UNKNOWN_TOPIC_OR_PARTITION
  bool is_internal = false;                   ///< e.g. __consumer_offsets
  std::vector<PartitionMetadata> partitions;  ///< sorted by partition index
};

/// The cached cluster view and its refresh policy; see the file comment.
class Metadata {
 public:
  /// REQUIRES: bootstrap is not empty (ParseBootstrapServers guarantees it).
  Metadata(std::vector<Node> bootstrap, int64_t metadata_max_age_ms = 300000);

  /// Replaces the cached view with `response`, received at now_ms, and
  /// clears the update request. Topics answered with an error are kept
  /// (with the error) so callers can report it.
  void Update(const MetadataResponse& response, int64_t now_ms);
  /// Asks for a refresh at the next opportunity.
  void RequestUpdate();
  /// True when a refresh was asked for or the view is older than
  /// metadata.max.age.ms (or there has never been one).
  bool UpdateRequested(int64_t now_ms) const;
  /// Milliseconds until the view goes stale; 0 if a refresh is due now.
  int64_t TimeToNextUpdate(int64_t now_ms) const;
  /// Looks at a partition-level error from a response; requests an update
  /// and returns true for the errors that mean stale metadata.
  bool HandleError(ErrorCode error);

  /// The brokers of the last response, or the bootstrap servers before any.
  std::vector<Node> Nodes() const;
  /// The broker with `id`, from the last response (or a bootstrap id).
  std::optional<Node> NodeById(int32_t id) const;
  /// The controller, if the last response named a live one.
  std::optional<Node> Controller() const;
  /// The leader of `topic`/`partition`, if known and alive.
  std::optional<Node> Leader(const std::string& topic, int32_t partition) const;
  /// The topic's cached metadata, if the last response had it.
  std::optional<TopicMetadata> Topic(const std::string& topic) const;
  /// Names of the topics in the last response without an error.
  std::set<std::string> TopicNames() const;
  /// The cluster id of the last response (v2+), if any.
  std::optional<std::string> ClusterId() const;

 private:
  const std::vector<Node> bootstrap_;
  const int64_t metadata_max_age_ms_;

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<int32_t, Node> nodes_;
  std::map<std::string, TopicMetadata> topics_;
  int32_t controller_id_ = -1;
  std::optional<std::string> cluster_id_;
  std::optional<int64_t> last_refresh_ms_;
  bool need_update_ = true;
};

}  // namespace gregor
