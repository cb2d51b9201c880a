// SPDX-License-Identifier: Apache-2.0
// StickyAssignor: the "sticky" assignor for the eager protocol (Kafka's
// StickyAssignor, KIP-54); the algorithm is abstract_sticky_assignor.h.
//
// Under the eager protocol a member revokes everything before it rejoins,
// so its subscription's owned_partitions is usually empty. What it owned
// travels instead in the subscription's user_data, written by the member
// from its last assignment:
//
//   StickyAssignorUserData =>          (classic encoding, no version prefix)
//     previous_assignment [topic string, partitions [int32]]
//     generation int32                 (v1; absent in v0)
//
// v0 (Kafka before 2.3) is the array alone and decodes with
// kDefaultGeneration. kafka-python 2.0.2 writes v1. A Gregor member whose
// user_data is empty or does not decode falls back to owned_partitions
// with kDefaultGeneration.
#pragma once

#include <optional>

#include "consumer/abstract_sticky_assignor.h"

namespace gregor {

/// A "sticky" member's user_data; see the file comment.
struct StickyAssignorUserData {
  std::vector<TopicPartition> previous_assignment;
  int32_t generation = AbstractStickyAssignor::kDefaultGeneration;

  /// The v1 bytes, topics in name order and partitions ascending.
  Bytes Encode() const;
  /// Reads v1, or v0 when fewer than 4 bytes follow the array; bytes after
  /// the generation are ignored (a later version's). nullopt for a
  /// truncated array or a negative length other than a null array's -1.
  static std::optional<StickyAssignorUserData> Decode(ByteSpan bytes);

  bool operator==(const StickyAssignorUserData&) const = default;
};

/// See the file comment.
class StickyAssignor : public AbstractStickyAssignor {
 public:
  std::string name() const override { return "sticky"; }

 protected:
  MemberData GetMemberData(const Subscription& subscription) const override;
};

}  // namespace gregor
