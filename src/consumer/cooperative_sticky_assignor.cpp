// SPDX-License-Identifier: Apache-2.0
#include "consumer/cooperative_sticky_assignor.h"

#include <algorithm>
#include <set>

namespace gregor {

Bytes CooperativeStickyAssignor::EncodeUserData(int32_t generation) {
  Bytes out;
  ByteWriter(out).PutInt32(generation);
  return out;
}

AbstractStickyAssignor::MemberData CooperativeStickyAssignor::GetMemberData(
    const Subscription& subscription) const {
  MemberData data{subscription.owned_partitions, kDefaultGeneration};
  if (subscription.user_data.size() >= 4) {
    data.generation = ByteReader(subscription.user_data).ReadInt32();
  }
  return data;
}

GroupAssignment CooperativeStickyAssignor::Assign(const PartitionCounts& partitions,
                                                  const GroupSubscription& subscriptions) const {
  // [cooperative-assign]
  auto assignment = AbstractStickyAssignor::Assign(partitions, subscriptions);
  // LAB-06: BEGIN SOLUTION CooperativeStickyAssignor::Assign
  // HINT: `assignment` is the sticky target. Collect who claims each
  // HINT: partition in owned_partitions (a claim may be shared or stale);
  // HINT: then take out of each member's list every partition it does not
  // HINT: own itself but another member does: that owner must revoke it
  // HINT: first, and the follow-up rebalance hands it over.
  // Who says they own what, as sent: a claim the sticky algorithm did not
  // trust still means that member is consuming the partition right now.
  std::map<TopicPartition, std::set<std::string>> owners;
  for (const auto& [id, subscription] : subscriptions) {
    for (const TopicPartition& tp : subscription.owned_partitions) {
      owners[tp].insert(id);
    }
  }
  for (auto& [id, assigned] : assignment) {
    // Withheld: partitions new to this member that another member owns
    // and must revoke first.
    std::erase_if(assigned, [&, &member = id](const TopicPartition& tp) {
      auto it = owners.find(tp);
      return it != owners.end() && it->second.count(member) == 0;
    });
  }
  return assignment;
  // LAB-06: END SOLUTION
  // [cooperative-assign]
}

}  // namespace gregor
