// SPDX-License-Identifier: Apache-2.0
// GroupCoordinator: the broker side of the classic group protocol —
// JoinGroup, SyncGroup, Heartbeat and LeaveGroup, and the group side of
// OffsetCommit, OffsetFetch, ListGroups and DeleteGroups (Kafka's
// GroupCoordinator; the records are the GroupMetadataManager's).
//
// A rebalance, seen from the coordinator:
//
//   JoinGroup (each member) -> park it; group PreparingRebalance
//       ...every member has rejoined, or the rebalance timeout passed
//       (members that did not rejoin are removed)
//   -> next generation: protocol chosen by vote, the first member leads;
//      every parked JoinGroup answered; the leader's answer lists every
//      member's metadata; group CompletingRebalance
//   SyncGroup (each member) -> park it until the leader's SyncGroup brings
//      the assignment; then every SyncGroup is answered with its member's
//      slice; group Stable
//   Heartbeat (each member, every heartbeat.interval.ms) -> NONE while
//      Stable, REBALANCE_IN_PROGRESS once a rebalance started: the
//      member's cue to rejoin
//
// The timers (Kafka's delayed operations, on the broker's timing wheel):
//  - DelayedJoin: the join phase ends when every member has rejoined or
//    after the longest rebalance.timeout.ms of the members.
//  - InitialDelayedJoin: the first rebalance of an Empty group waits
//    group.initial.rebalance.delay.ms, and again while new members keep
//    arriving (up to the rebalance timeout), so that a group starting up
//    does not rebalance once per member.
//  - DelayedHeartbeat: a member not heard from for session.timeout.ms is
//    removed and the group rebalances. Heard from means a JoinGroup,
//    SyncGroup or Heartbeat; a member whose JoinGroup or SyncGroup is
//    parked is not expired (the rebalance timeout governs it then).
//
// Member ids: a new dynamic member gets `client.id-<uuid>`. Since
// JoinGroup v4 (KIP-394) it gets the id in a MEMBER_ID_REQUIRED answer
// first and must join again with it, so a client that retries a lost
// JoinGroup cannot leave ghost members behind. A static member
// (group.instance.id, KIP-345) that rejoins with a new member id takes its
// old place: in a Stable group it gets the current generation back without
// a rebalance, and its previous incarnation is fenced (FENCED_INSTANCE_ID).
//
// Persistence (with a GroupMetadataManager; without one, as in most unit
// tests, groups live in memory only): the leader's SyncGroup is answered
// only once the new generation's GroupMetadata record is in
// __consumer_offsets (a failed write answers the error and rebalances
// again); a group emptied by a rebalance is stored too; OffsetCommit is
// validated against the group (generation, member) and then written; when
// a __consumer_offsets partition is loaded, OnPartitionLoaded rebuilds its
// groups: Stable with the stored members (who must heartbeat within their
// session timeout) or Empty. Every request first asks the manager whether
// this broker coordinates the group now (NOT_COORDINATOR,
// COORDINATOR_LOAD_IN_PROGRESS).
//
// Simplifications, named: one coordinator lock for all groups (Kafka has a
// lock per group); group.max.size is not enforced; offsets never expire
// (offsets.retention.minutes).
//
// Thread-safety: every method is thread-safe. Callbacks run with the
// coordinator's lock held (it is recursive: a callback or a timer may
// re-enter); they must only hand the response to the network layer.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "coordinator/group/group_metadata.h"
#include "coordinator/group/group_metadata_manager.h"
#include "server/timing_wheel.h"

namespace gregor {

/// The coordinator's settings (Kafka's broker config names and defaults).
struct GroupCoordinatorConfig {
  /// group.min.session.timeout.ms / group.max.session.timeout.ms: the
  /// session timeouts a member may ask for (INVALID_SESSION_TIMEOUT).
  int32_t min_session_timeout_ms = 6000;
  int32_t max_session_timeout_ms = 1800000;
  /// group.initial.rebalance.delay.ms.
  int32_t initial_rebalance_delay_ms = 3000;
};

/// A JoinGroup request, decoded (JoinGroup v0-5).
struct JoinGroupParams {
  std::string group_id;
  /// Empty for a member joining for the first time.
  std::string member_id;
  std::optional<std::string> group_instance_id;
  /// v4+: a new dynamic member must first fetch an id (MEMBER_ID_REQUIRED).
  bool require_known_member_id = false;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<GroupProtocol> protocols;
};

/// What a JoinGroup is answered with.
struct JoinGroupResult {
  ErrorCode error = ErrorCode::kNone;
  int32_t generation_id = -1;
  std::optional<std::string> protocol_name;
  std::string leader_id;
  std::string member_id;
  /// Only in the leader's answer: every member and its chosen metadata.
  struct Member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    Bytes metadata;
  };
  std::vector<Member> members;
};

/// A SyncGroup request, decoded (SyncGroup v0-3).
struct SyncGroupParams {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  /// Only from the leader: member id -> its assignment bytes.
  std::map<std::string, Bytes> assignments;
};

/// What a SyncGroup is answered with.
struct SyncGroupResult {
  ErrorCode error = ErrorCode::kNone;
  Bytes assignment;
};

/// An OffsetCommit request, decoded (OffsetCommit v2-7). Outside group
/// management (assign()) generation_id is -1 and member_id empty.
struct CommitOffsetsParams {
  std::string group_id;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  int32_t generation_id = -1;
  std::map<TopicPartition, CommittedOffset> offsets;
};

/// One member leaving (LeaveGroup v3 lists several).
struct LeavingMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

/// The classic group protocol's broker side; see the file comment.
class GroupCoordinator {
 public:
  using JoinCallback = std::function<void(const JoinGroupResult&)>;
  using SyncCallback = std::function<void(const SyncGroupResult&)>;
  using CommitCallback = std::function<void(const std::map<TopicPartition, ErrorCode>&)>;

  /// `timer` runs the delayed joins and heartbeats; `manager` (may be
  /// null: memory only) keeps groups and offsets in __consumer_offsets.
  /// All three outlive the coordinator.
  GroupCoordinator(GroupCoordinatorConfig config, Timer& timer, Clock& clock,
                   GroupMetadataManager* manager = nullptr);
  ~GroupCoordinator();

  /// Answers at once (an error, MEMBER_ID_REQUIRED, or a Stable group's
  /// current generation) or when the rebalance completes.
  void HandleJoinGroup(const JoinGroupParams& params, JoinCallback callback);
  /// Answers at once, or once the leader's assignment arrives.
  void HandleSyncGroup(const SyncGroupParams& params, SyncCallback callback);
  /// NONE, REBALANCE_IN_PROGRESS (rejoin), ILLEGAL_GENERATION,
  /// UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID or COORDINATOR_NOT_AVAILABLE.
  ErrorCode HandleHeartbeat(const std::string& group_id, const std::string& member_id,
                            const std::optional<std::string>& group_instance_id,
                            int32_t generation_id);
  /// One error per leaving member (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID);
  /// the whole request fails with the first element's error only when the
  /// group is unknown.
  std::vector<ErrorCode> HandleLeaveGroup(const std::string& group_id,
                                          const std::vector<LeavingMember>& members);

  /// One member as DescribeGroups reports it: metadata and assignment
  /// only while the group is Stable, as Kafka reports them.
  struct MemberSummary {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    Bytes metadata;
    Bytes assignment;
  };
  /// A snapshot for DescribeGroups / tests: state, generation, protocol,
  /// leader and members; Describe returns nullopt for an unknown group.
  struct GroupSummary {
    GroupState state;
    int32_t generation_id;
    std::optional<std::string> protocol_type;
    std::optional<std::string> protocol_name;
    std::optional<std::string> leader_id;
    std::vector<std::string> member_ids;
    std::vector<MemberSummary> members;
  };
  std::optional<GroupSummary> Describe(const std::string& group_id) const;

  // Offsets and group administration (group_coordinator_offsets.cpp).
  /// Validates the commit against the group (Kafka's rules: a commit with
  /// generation -1 to an unknown or Empty group is a plain offset store;
  /// otherwise the member must be in the current generation, and not while
  /// the group awaits its assignment: REBALANCE_IN_PROGRESS), then writes
  /// it. `callback` gets one error per partition, now or later.
  void HandleCommitOffsets(const CommitOffsetsParams& params, CommitCallback callback);
  /// The committed offsets of `partitions` (all when nullopt) into `out`;
  /// returns NONE or the coordinator error.
  ErrorCode HandleFetchOffsets(const std::string& group_id,
                               const std::optional<std::vector<TopicPartition>>& partitions,
                               std::map<TopicPartition, CommittedOffset>* out) const;
  /// Every group coordinated here: id and protocol type ("" for a group
  /// that only stores offsets).
  std::vector<std::pair<std::string, std::string>> ListGroups() const;
  /// Deletes groups without members and their offsets: per group NONE,
  /// GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP or a coordinator error.
  void HandleDeleteGroups(const std::vector<std::string>& group_ids,
                          std::function<void(std::map<std::string, ErrorCode>)> callback);
  /// NONE, or why this broker cannot serve `group_id` now.
  ErrorCode CoordinatorError(const std::string& group_id) const;
  /// A __consumer_offsets partition finished loading: rebuilds its groups
  /// from the manager's stored states (see the file comment).
  void OnPartitionLoaded(int32_t partition);
  /// This broker no longer coordinates the partition (it moved, or the
  /// topic was deleted): its groups are forgotten (Kafka's onResignation);
  /// parked JoinGroups and SyncGroups are answered NOT_COORDINATOR.
  void OnPartitionUnloaded(int32_t partition);

 private:
  class DelayedJoin;
  class DelayedHeartbeat;
  struct GroupEntry;

  // All below: REQUIRES mu_ held.
  GroupEntry* Find(const std::string& group_id);
  void JoinNewMember(GroupEntry& g, const JoinGroupParams& params, JoinCallback callback);
  void JoinStaticMember(GroupEntry& g, const JoinGroupParams& params, JoinCallback callback);
  void JoinKnownMember(GroupEntry& g, const JoinGroupParams& params, JoinCallback callback);
  void AddMemberAndRebalance(GroupEntry& g, const JoinGroupParams& params,
                             const std::string& member_id, JoinCallback callback);
  void UpdateMemberAndRebalance(GroupEntry& g, MemberMetadata& member,
                                const JoinGroupParams& params, JoinCallback callback);
  void MaybePrepareRebalance(GroupEntry& g, const std::string& reason);
  void PrepareRebalance(GroupEntry& g, const std::string& reason);
  void TryCompleteJoin(GroupEntry& g);
  void CompleteJoin(GroupEntry& g);
  void OnInitialDelayExpired(GroupEntry& g, int32_t remaining_ms);
  JoinGroupResult CurrentGeneration(GroupEntry& g, const std::string& member_id, bool with_members);
  void PropagateAssignment(GroupEntry& g, ErrorCode error);
  void ScheduleHeartbeat(GroupEntry& g, MemberMetadata& member);
  void OnHeartbeatExpired(const std::string& group_id, const std::string& member_id,
                          uint64_t heartbeat_generation);
  void RemoveMemberAndUpdateGroup(GroupEntry& g, const std::string& member_id,
                                  const std::string& reason);
  std::string NewMemberId(const JoinGroupParams& params);
  // Persistence (group_coordinator_offsets.cpp).
  void StoreAssignment(GroupEntry& g, std::map<std::string, Bytes> assignment);
  void StoreEmptyGroup(GroupEntry& g);
  GroupMetadataValue StoredValue(const GroupMetadata& group,
                                 const std::map<std::string, Bytes>& assignment) const;
  void CommitValidated(const CommitOffsetsParams& params, CommitCallback callback);

  const GroupCoordinatorConfig config_;
  Timer& timer_;
  Clock& clock_;
  GroupMetadataManager* const manager_;  // may be null

  mutable std::recursive_mutex mu_;
  // Guarded by mu_:
  std::map<std::string, std::unique_ptr<GroupEntry>> groups_;
  uint64_t next_heartbeat_id_ = 0;
};

}  // namespace gregor
