// SPDX-License-Identifier: Apache-2.0
// RoundRobinAssignor: every partition of every subscribed topic dealt out
// in turn (Kafka's RoundRobinAssignor).
//
// The partitions are laid out by topic name, then partition number; the
// members stand in a circle in member order (partition_assignor.h). Each
// partition goes to the next member in the circle that subscribes to its
// topic. When every member subscribes to the same topics, counts differ by
// at most one across the whole group — unlike range, which balances each
// topic separately.
#pragma once

#include "consumer/partition_assignor.h"

namespace gregor {

/// See the file comment.
class RoundRobinAssignor : public PartitionAssignor {
 public:
  std::string name() const override { return "roundrobin"; }
  GroupAssignment Assign(const PartitionCounts& partitions,
                         const GroupSubscription& subscriptions) const override;
};

}  // namespace gregor
