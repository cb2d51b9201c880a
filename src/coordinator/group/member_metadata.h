// SPDX-License-Identifier: Apache-2.0
// MemberMetadata: one member of a classic consumer group as the group
// coordinator sees it (Kafka's MemberMetadata).
//
// A member joins with a protocol type ("consumer" for consumers) and, in
// its order of preference, the protocols it supports, each with opaque
// metadata bytes (for consumers, the assignor name and a
// ConsumerProtocolSubscription). The coordinator never reads those bytes:
// it only picks one protocol every member supports and hands the chosen
// metadata of every member to the leader, who computes the assignment and
// sends it back in SyncGroup; each member's `assignment` is its slice.
//
// A member is either dynamic (the coordinator made up its member id) or
// static (it brings a `group.instance.id`, KIP-345, and keeps its
// partitions across a restart as long as it rejoins within the session
// timeout).
//
// Thread-safety: none; a MemberMetadata lives inside a GroupMetadata and is
// guarded by the group's lock.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/bytes.h"

namespace gregor {

/// One (protocol name, metadata) pair of a JoinGroup request.
struct GroupProtocol {
  std::string name;
  Bytes metadata;
  bool operator==(const GroupProtocol&) const = default;
};

/// One member of a classic group; see the file comment.
struct MemberMetadata {
  std::string member_id;
  /// group.instance.id of a static member; empty for a dynamic one.
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  /// How long the coordinator waits for this member to rejoin during a
  /// rebalance (JoinGroup v1+; v0 uses the session timeout).
  int32_t rebalance_timeout_ms = 0;
  /// How long without a heartbeat before the member is removed.
  int32_t session_timeout_ms = 0;
  std::string protocol_type;
  /// The protocols in the member's order of preference.
  std::vector<GroupProtocol> supported_protocols;
  /// This member's slice of the leader's assignment (SyncGroup).
  Bytes assignment;

  /// A JoinGroup of this member is parked until the rebalance completes.
  bool awaiting_join = false;
  /// A SyncGroup of this member is parked until the leader's arrives.
  bool awaiting_sync = false;
  /// Joined during the current rebalance; a new member that never
  /// completes its join is removed after its session timeout, not kept
  /// (Kafka's `isNew`, KIP-394's guard against join storms).
  bool is_new = false;
  /// When the coordinator last heard from the member (Clock ms).
  int64_t last_heartbeat_ms = 0;

  bool is_static() const { return group_instance_id.has_value(); }
  /// The metadata sent with `protocol`, or null if the member lacks it.
  const Bytes* MetadataFor(const std::string& protocol) const {
    for (const auto& p : supported_protocols) {
      if (p.name == protocol) return &p.metadata;
    }
    return nullptr;
  }
  /// The protocol names, for the intersection over all members.
  std::set<std::string> ProtocolNames() const {
    std::set<std::string> names;
    for (const auto& p : supported_protocols) names.insert(p.name);
    return names;
  }
  /// The member's vote: its most preferred protocol among `candidates`.
  /// REQUIRES: at least one of its protocols is a candidate.
  const std::string& Vote(const std::set<std::string>& candidates) const {
    for (const auto& p : supported_protocols) {
      if (candidates.contains(p.name)) return p.name;
    }
    return supported_protocols.front().name;  // unreachable when REQUIRES holds
  }
  /// Whether a rejoin brings the same protocols and metadata: if so, a
  /// Stable group's leader need not recompute anything (Kafka answers such
  /// a JoinGroup with the current generation instead of rebalancing).
  bool Matches(const std::vector<GroupProtocol>& protocols) const {
    return supported_protocols == protocols;
  }
};

}  // namespace gregor
