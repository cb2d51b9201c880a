// SPDX-License-Identifier: Apache-2.0
// PartitionAssignor: how a consumer group's leader splits partitions among
// the members (Kafka's ConsumerPartitionAssignor).
//
// The coordinator never assigns partitions in the classic protocol: it
// picks a protocol (an assignor name every member supports), hands every
// member's Subscription to the leader in the JoinGroup response, and the
// leader runs the assignor and returns one assignment per member in its
// SyncGroup. Because the leader may be any client — Gregor, librdkafka,
// kafka-python — every implementation of an assignor named "range" must
// compute the same thing from the same input; the rules are in each
// assignor's header.
//
// Members are ordered as Kafka orders them: static members (those with a
// group.instance.id) first, by instance id, then dynamic members by member
// id. With static members the order, and so the assignment, survives
// restarts that change member ids.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "storage/topic_partition.h"

namespace gregor {

/// What one member asked for (ConsumerProtocolSubscription's content).
struct Subscription {
  std::vector<std::string> topics;
  Bytes user_data;
  /// Partitions the member owned in the last generation (v1+; used by
  /// sticky assignors).
  std::vector<TopicPartition> owned_partitions;
  std::optional<std::string> group_instance_id;
};

/// member id -> what it subscribed to.
using GroupSubscription = std::map<std::string, Subscription>;
/// member id -> its partitions, each list ordered by (topic, partition).
using GroupAssignment = std::map<std::string, std::vector<TopicPartition>>;
/// topic -> number of partitions (topics missing from the map are skipped:
/// they do not exist or their metadata is unknown).
using PartitionCounts = std::map<std::string, int32_t>;

/// How members give partitions up during a rebalance (KIP-429). kEager:
/// every member revokes everything before it joins, and the new assignment
/// may hand anything to anyone. kCooperative: members keep what they own
/// while they rejoin; the assignment never gives a member a partition that
/// another member still owns — that member only loses it, and a follow-up
/// rebalance hands it on (cooperative_sticky_assignor.h).
enum class RebalanceProtocol { kEager, kCooperative };

/// A partition-assignment strategy; see the file comment.
class PartitionAssignor {
 public:
  virtual ~PartitionAssignor() = default;
  /// The protocol name members advertise ("range", "roundrobin").
  virtual std::string name() const = 0;
  /// The rebalance protocols this assignor's output is safe for (Kafka's
  /// supportedProtocols()). A consumer follows kCooperative only if every
  /// assignor it is configured with supports it, else kEager.
  virtual std::vector<RebalanceProtocol> supported_protocols() const {
    return {RebalanceProtocol::kEager};
  }
  /// An assignment with an entry (maybe empty) for every member.
  virtual GroupAssignment Assign(const PartitionCounts& partitions,
                                 const GroupSubscription& subscriptions) const = 0;
};

/// Member ids in Kafka's order (see the file comment).
std::vector<std::string> SortedMembers(const GroupSubscription& subscriptions);

}  // namespace gregor
