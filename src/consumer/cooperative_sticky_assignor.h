// SPDX-License-Identifier: Apache-2.0
// CooperativeStickyAssignor: the "cooperative-sticky" assignor (Kafka's
// CooperativeStickyAssignor, KIP-429): the sticky algorithm of
// abstract_sticky_assignor.h, made safe for the cooperative protocol.
//
// Under the cooperative protocol members keep consuming what they own
// while they rejoin, and say so in owned_partitions. A partition must
// never be consumed by two members at once, so one cannot move from A to
// B in a single rebalance. The rule: if the sticky assignment gives B a
// partition that B did not own and some other member did, B does not get
// it this time. A, whose assignment lacks it, revokes it and — having
// revoked something — rejoins at once; in that follow-up rebalance nobody
// owns it any more and B gets it. Partitions that stay where they are
// never pause.
//
//   rebalance 1:  A owns {p0,p1}, B joins  ->  A {p0},  B {}      (A revokes p1)
//   rebalance 2:  A owns {p0}, B owns {}   ->  A {p0},  B {p1}
//
// Ownership comes from owned_partitions. Generations: Kafka 2.4 to 2.8
// sent the member's generation as the user_data, one int32; it is read
// when present (a Gregor member may send the same, EncodeUserData),
// otherwise claims carry kDefaultGeneration. Supports both protocols, so
// a group can move from eager to cooperative one member at a time.
#pragma once

#include "consumer/abstract_sticky_assignor.h"

namespace gregor {

/// See the file comment.
class CooperativeStickyAssignor : public AbstractStickyAssignor {
 public:
  std::string name() const override { return "cooperative-sticky"; }
  std::vector<RebalanceProtocol> supported_protocols() const override {
    return {RebalanceProtocol::kCooperative, RebalanceProtocol::kEager};
  }
  /// The sticky assignment minus partitions still owned by another member.
  GroupAssignment Assign(const PartitionCounts& partitions,
                         const GroupSubscription& subscriptions) const override;

  /// The user_data carrying `generation` (an int32).
  static Bytes EncodeUserData(int32_t generation);

 protected:
  MemberData GetMemberData(const Subscription& subscription) const override;
};

}  // namespace gregor
