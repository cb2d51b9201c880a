// SPDX-License-Identifier: Apache-2.0
#include "consumer/round_robin_assignor.h"

#include <algorithm>
#include <set>

namespace gregor {

// [round-robin-assign]
GroupAssignment RoundRobinAssignor::Assign(const PartitionCounts& partitions,
                                           const GroupSubscription& subscriptions) const {
  GroupAssignment assignment;
  const std::vector<std::string> members = SortedMembers(subscriptions);
  std::set<std::string> topics;  // ordered by name: the partitions' layout
  for (const auto& id : members) {
    assignment[id];
    const auto& t = subscriptions.at(id).topics;
    topics.insert(t.begin(), t.end());
  }
  auto subscribes = [&](const std::string& id, const std::string& topic) {
    const auto& t = subscriptions.at(id).topics;
    return std::find(t.begin(), t.end(), topic) != t.end();
  };
  size_t next = 0;  // the circle's position
  for (const std::string& topic : topics) {
    auto count = partitions.find(topic);
    if (count == partitions.end()) continue;
    for (int32_t p = 0; p < count->second; ++p) {
      // Some member subscribes to `topic` (it came from a subscription),
      // so this walk stops within one turn of the circle.
      while (!subscribes(members[next % members.size()], topic)) ++next;
      assignment[members[next % members.size()]].push_back(
          TopicPartition{topic, PartitionId(p)});
      ++next;
    }
  }
  return assignment;
}
// [round-robin-assign]

}  // namespace gregor
