// SPDX-License-Identifier: Apache-2.0
// RangeAssignor: each topic on its own, cut into contiguous ranges (Kafka's
// RangeAssignor, the default of the Java consumer before 3.0 and of
// librdkafka's "range,roundrobin").
//
// For a topic with P partitions and the C members subscribed to it, in
// member order (partition_assignor.h): every member gets P / C partitions,
// and the first P % C members one more. Member i starts at
// i * (P / C) + min(i, P % C). With several topics the same members are
// first every time, so with 2 members and 3 topics of 1 partition each,
// the first member gets all three: range balances each topic, not the
// whole. (Kafka's rack-aware variant, KIP-881, is left out.)
#pragma once

#include "consumer/partition_assignor.h"

namespace gregor {

/// See the file comment.
class RangeAssignor : public PartitionAssignor {
 public:
  std::string name() const override { return "range"; }
  GroupAssignment Assign(const PartitionCounts& partitions,
                         const GroupSubscription& subscriptions) const override;
};

}  // namespace gregor
