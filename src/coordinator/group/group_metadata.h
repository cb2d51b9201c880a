// SPDX-License-Identifier: Apache-2.0
// GroupMetadata: the membership state of one classic group (Kafka's
// GroupMetadata, the part that is not offsets).
//
// A group moves through five states; a transition not in this table is a
// bug in the coordinator and is refused:
//
//   Empty ----------------> PreparingRebalance   first member joins
//   PreparingRebalance ---> CompletingRebalance  every member rejoined (or
//                                                the rebalance timeout):
//                                                next generation, leader chosen
//   PreparingRebalance ---> Empty                no member left
//   CompletingRebalance --> Stable               the leader's SyncGroup
//                                                brought the assignment
//   CompletingRebalance --> PreparingRebalance   a member joined or left
//                                                before the assignment came
//   Stable ---------------> PreparingRebalance   a member joined, left, timed
//                                                out or changed its protocols
//   any ------------------> Dead                 the group was deleted or its
//                                                __consumer_offsets partition
//                                                moved to another coordinator
//
// A generation is one completed JoinGroup round: its id grows by one each
// time, and every SyncGroup, Heartbeat and OffsetCommit carries it so the
// coordinator can refuse a member that missed a rebalance
// (ILLEGAL_GENERATION). The protocol is chosen by vote: among the
// protocols every member supports, each member votes for the one it
// prefers most, and the one with the most votes wins (ties go to the
// first name in alphabetical order, to keep the choice deterministic; Kafka
// leaves ties to its map's iteration order). The leader is the first member
// to join; if it leaves, any remaining member takes over.
//
// Pending members: since JoinGroup v4 (KIP-394) a member without an id is
// first given one and asked to join again (MEMBER_ID_REQUIRED); until it
// does, it is "pending" and does not count as a member.
//
// Thread-safety: none. The GroupCoordinator holds one lock per group and
// calls every method with it held.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/errors.h"
#include "coordinator/group/member_metadata.h"

namespace gregor {

/// The states of a classic group; see the file comment.
enum class GroupState { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable, kDead };

/// Kafka's name of the state, as DescribeGroups and ListGroups report it.
const char* GroupStateName(GroupState state);
/// Whether the table in the file comment allows `from` -> `to`.
bool IsValidTransition(GroupState from, GroupState to);

/// One group's members, generation, protocol and leader; see the file comment.
class GroupMetadata {
 public:
  GroupMetadata(std::string group_id, int64_t now_ms);

  const std::string& group_id() const { return group_id_; }
  GroupState state() const { return state_; }
  bool Is(GroupState s) const { return state_ == s; }
  /// Moves to `target`. Errors: UNKNOWN_SERVER_ERROR for a transition the
  /// table forbids (the state is left unchanged).
  Status TransitionTo(GroupState target, int64_t now_ms);
  /// When the group entered its current state (Clock ms).
  int64_t state_timestamp_ms() const { return state_timestamp_ms_; }
  /// Whether a rebalance may start now (Stable, CompletingRebalance, Empty).
  bool CanRebalance() const { return IsValidTransition(state_, GroupState::kPreparingRebalance); }

  int32_t generation_id() const { return generation_id_; }
  /// The protocol type of the members ("consumer"); unset while Empty and
  /// never joined.
  const std::optional<std::string>& protocol_type() const { return protocol_type_; }
  /// The protocol chosen for the current generation.
  const std::optional<std::string>& protocol_name() const { return protocol_name_; }
  const std::optional<std::string>& leader_id() const { return leader_id_; }
  bool IsLeader(const std::string& member_id) const { return leader_id_ == member_id; }

  // Members.
  size_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }
  bool Has(const std::string& member_id) const { return members_.contains(member_id); }
  /// The member, or null.
  MemberMetadata* Get(const std::string& member_id);
  const std::map<std::string, MemberMetadata>& members() const { return members_; }
  /// Adds `member`: the first member sets the protocol type and becomes
  /// leader; a static member is indexed by its group.instance.id; a member
  /// that was pending stops being pending.
  /// REQUIRES: SupportsProtocols(member's type, member's protocol names).
  void Add(MemberMetadata member);
  /// Removes a member; if it led the group, another member (the first by
  /// member id) leads; the group forgets its instance id.
  void Remove(const std::string& member_id);

  // Pending members (JoinGroup v4+).
  void AddPendingMember(const std::string& member_id) { pending_members_.insert(member_id); }
  bool IsPendingMember(const std::string& member_id) const {
    return pending_members_.contains(member_id);
  }
  void RemovePendingMember(const std::string& member_id) { pending_members_.erase(member_id); }
  size_t pending_count() const { return pending_members_.size(); }

  // Static members (KIP-345).
  /// The member id of the static member `instance_id`, if present.
  std::optional<std::string> StaticMemberId(const std::string& instance_id) const;
  /// A static member restarted and rejoined with a new member id: the old
  /// member becomes `new_member_id` and keeps its protocols, assignment
  /// and leadership. REQUIRES: `old_member_id` is `instance_id`'s member.
  void ReplaceStaticMember(const std::string& instance_id, const std::string& old_member_id,
                           const std::string& new_member_id);

  // Protocol selection.
  /// Whether a member with this type and protocols may join: an empty
  /// group takes any non-empty type and protocol list; otherwise the type
  /// must match and one of the protocols must be supported by every member.
  bool SupportsProtocols(const std::string& protocol_type,
                         const std::set<std::string>& protocols) const;
  /// The protocols every member supports.
  std::set<std::string> CandidateProtocols() const;
  /// The vote of the file comment. REQUIRES: !empty() and a candidate.
  std::string SelectProtocol() const;

  // Rebalance bookkeeping.
  /// Members whose JoinGroup is parked in this rebalance.
  int NumAwaitingJoin() const;
  /// Whether the rebalance may complete: every member's JoinGroup is
  /// parked and nobody is pending.
  bool HasAllMembersJoined() const;
  /// The longest rebalance timeout of the members: how long a rebalance
  /// waits for stragglers.
  int32_t RebalanceTimeoutMs() const;
  /// Ends the join phase: the generation id grows by one; with members,
  /// the protocol is selected and the group completes the rebalance
  /// (CompletingRebalance), every member stops being new; without, the
  /// protocol is cleared and the group is Empty.
  /// REQUIRES: Is(kPreparingRebalance).
  Status InitNextGeneration(int64_t now_ms);
  /// What the leader receives in its JoinGroup response: each member's
  /// metadata for the chosen protocol. REQUIRES: a protocol is chosen.
  std::map<std::string, Bytes> CurrentMemberMetadata() const;

  /// Restores a group read back from __consumer_offsets (Kafka's
  /// GroupMetadata.loadGroup): Stable with `members`, or Empty without.
  /// Each member's only protocol is the chosen one (the stored
  /// subscription), so a rejoin with the same metadata matches it.
  /// REQUIRES: a fresh group (Empty, generation 0, no members).
  void Load(int32_t generation, std::optional<std::string> protocol_type,
            std::optional<std::string> protocol_name, std::optional<std::string> leader,
            std::vector<MemberMetadata> members, int64_t now_ms);

  /// Whether a member joined since the rebalance began (Kafka's
  /// newMemberAdded: with group.initial.rebalance.delay.ms the first join
  /// of an Empty group waits for more members).
  bool new_member_added() const { return new_member_added_; }
  void set_new_member_added(bool v) { new_member_added_ = v; }

 private:
  const std::string group_id_;
  GroupState state_ = GroupState::kEmpty;
  int64_t state_timestamp_ms_;
  int32_t generation_id_ = 0;
  std::optional<std::string> protocol_type_;
  std::optional<std::string> protocol_name_;
  std::optional<std::string> leader_id_;
  std::map<std::string, MemberMetadata> members_;
  std::set<std::string> pending_members_;
  std::map<std::string, std::string> static_members_;  // instance id -> member id
  bool new_member_added_ = false;
};

}  // namespace gregor
