// SPDX-License-Identifier: Apache-2.0
#include "consumer/partition_assignor.h"

#include <algorithm>

namespace gregor {

std::vector<std::string> SortedMembers(const GroupSubscription& subscriptions) {
  std::vector<std::string> members;
  for (const auto& [id, s] : subscriptions) members.push_back(id);
  // Static members first, by group.instance.id; then the rest by member id.
  std::sort(members.begin(), members.end(), [&](const std::string& a, const std::string& b) {
    const auto& ia = subscriptions.at(a).group_instance_id;
    const auto& ib = subscriptions.at(b).group_instance_id;
    if (ia && ib) return *ia < *ib;
    if (ia || ib) return bool(ia);
    return a < b;
  });
  return members;
}

}  // namespace gregor
