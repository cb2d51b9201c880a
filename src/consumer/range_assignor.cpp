// SPDX-License-Identifier: Apache-2.0
#include "consumer/range_assignor.h"

#include <algorithm>
#include <set>

namespace gregor {

// [range-assign]
GroupAssignment RangeAssignor::Assign(const PartitionCounts& partitions,
                                      const GroupSubscription& subscriptions) const {
  // LAB-06: BEGIN SOLUTION RangeAssignor::Assign
  // HINT: every member gets an entry, even an empty one. Per topic, take the
  // HINT: members subscribed to it in SortedMembers order; with n partitions
  // HINT: and c members, member i gets n/c contiguous partitions, the first
  // HINT: n%c members one more; skip topics missing from `partitions`.
  GroupAssignment assignment;
  const std::vector<std::string> members = SortedMembers(subscriptions);
  std::set<std::string> topics;
  for (const auto& id : members) {
    assignment[id];  // every member gets an entry, even an empty one
    const auto& t = subscriptions.at(id).topics;
    topics.insert(t.begin(), t.end());
  }
  for (const std::string& topic : topics) {
    auto count = partitions.find(topic);
    if (count == partitions.end()) continue;
    std::vector<const std::string*> consumers;
    for (const auto& id : members) {
      const auto& t = subscriptions.at(id).topics;
      if (std::find(t.begin(), t.end(), topic) != t.end()) consumers.push_back(&id);
    }
    const int32_t n = count->second;
    const int32_t c = int32_t(consumers.size());
    const int32_t per_consumer = n / c;
    const int32_t with_extra = n % c;
    for (int32_t i = 0; i < c; ++i) {
      const int32_t start = per_consumer * i + std::min(i, with_extra);
      const int32_t length = per_consumer + (i < with_extra ? 1 : 0);
      auto& out = assignment[*consumers[size_t(i)]];
      for (int32_t p = start; p < start + length; ++p) {
        out.push_back(TopicPartition{topic, PartitionId(p)});
      }
    }
  }
  return assignment;
  // LAB-06: END SOLUTION
}
// [range-assign]

}  // namespace gregor
