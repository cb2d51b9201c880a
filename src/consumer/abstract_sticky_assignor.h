// SPDX-License-Identifier: Apache-2.0
// AbstractStickyAssignor: the algorithm shared by "sticky" and
// "cooperative-sticky" (Kafka's AbstractStickyAssignor, KIP-54 and
// KIP-341).
//
// Two goals, the first taking precedence:
//   1. Balance. When every member subscribes to the same topics, partition
//      counts differ by at most one. In general the assignment is balanced
//      in Kafka's sense: whenever member A has at least two partitions more
//      than member B, B subscribes to none of A's topics — and more: no
//      chain of hand-overs A -> X -> ... -> B (each step passing a
//      partition to a member subscribed to its topic) would even them out.
//   2. Stickiness. A member keeps the partitions it owned in the previous
//      generation unless balance needs them elsewhere, and then as few as
//      possible move.
//
// What a member owned comes from its subscription, decoded by the
// subclass (GetMemberData: "sticky" reads its user_data, the cooperative
// assignor owned_partitions). Claims are cleaned before use: a claim on a
// partition that no longer exists or whose topic the member dropped is
// ignored, and when several members claim one partition the claimant with
// the highest generation keeps it; if the highest generation is shared,
// none does (the claims contradict each other, so neither is trusted).
//
// The steps (abstract_sticky_assignor.cpp):
//   1. every member keeps its surviving claims;
//   2. each unowned partition, fewest possible owners first, goes to the
//      least-loaded member subscribed to its topic;
//   3. while some member can reach, through a chain of hand-overs, a member
//      with at least two partitions fewer, the shortest such chain runs;
//      each step passes one partition, preferring one the giver did not
//      own before, then the highest (topic, partition).
// Step 3 ends because each chain lowers the sum of squared member counts.
//
// Deterministic: members are visited in SortedMembers order and partitions
// in (topic, partition) order, never in hash or insertion order, so every
// member computes the same assignment when it happens to be the leader.
// Stateless and const: safe to call from any thread.
#pragma once

#include <cstdint>
#include <vector>

#include "consumer/partition_assignor.h"

namespace gregor {

/// See the file comment.
class AbstractStickyAssignor : public PartitionAssignor {
 public:
  /// The generation of a member that has not been assigned anything yet
  /// (Kafka's DEFAULT_GENERATION).
  static constexpr int32_t kDefaultGeneration = -1;

  /// What a member says it owned (Kafka's MemberData).
  struct MemberData {
    std::vector<TopicPartition> partitions;   ///< any order, maybe stale
    int32_t generation = kDefaultGeneration;  ///< when it owned them
  };

  /// The balanced, sticky assignment of the file comment; an entry (maybe
  /// empty) for every member, each list ordered by (topic, partition).
  GroupAssignment Assign(const PartitionCounts& partitions,
                         const GroupSubscription& subscriptions) const override;

 protected:
  /// What `subscription` says its member owned, and in which generation.
  /// Never fails: undecodable data counts as "owned nothing".
  virtual MemberData GetMemberData(const Subscription& subscription) const = 0;
};

}  // namespace gregor
