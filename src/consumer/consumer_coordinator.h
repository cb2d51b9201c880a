// SPDX-License-Identifier: Apache-2.0
// ConsumerCoordinator: the member's side of the classic group protocol
// (Kafka's AbstractCoordinator + ConsumerCoordinator), and the committed
// offsets.
//
//   FindCoordinator(group, key type 0) ──> the coordinator broker
//   JoinGroup(protocols = one ConsumerProtocolSubscription per assignor)
//      ├─ MEMBER_ID_REQUIRED: join again with the id given (KIP-394)
//      └─> generation, leader, protocol; the leader also gets every
//          member's subscription
//   SyncGroup: the leader runs the chosen assignor over Metadata's
//      partition counts and sends every member's ConsumerProtocolAssignment;
//      followers send none ──> each member's assignment
//   Heartbeat every heartbeat.interval.ms (background thread) while STABLE
//   LeaveGroup on Close/Unsubscribe, or when Poll() was not called for
//      max.poll.interval.ms (the heartbeat thread notices)
//
// States (Kafka's MemberState): UNJOINED -> PREPARING_REBALANCE (JoinGroup
// out) -> COMPLETING_REBALANCE (SyncGroup out) -> STABLE. A heartbeat
// answered REBALANCE_IN_PROGRESS asks for a rejoin at the next Poll();
// UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION and FENCED_INSTANCE_ID reset the
// generation (and the member id for the first) and the partitions are
// lost (ConsumerRebalanceListener::OnPartitionsLost), not revoked.
//
// Rebalance protocols (KIP-429): cooperative when every configured
// assignor supports it (cooperative-sticky alone), else eager — Kafka's
// rule, so Kafka 3.x's default [range, cooperative-sticky] is eager.
//   eager        before rejoining the member commits (enable.auto.commit)
//                and revokes everything (OnPartitionsRevoked(all)); after
//                SyncGroup it gets the whole new set (OnPartitionsAssigned).
//   cooperative  it keeps fetching what it owns while it rejoins, sending
//                owned_partitions; after SyncGroup it revokes only what the
//                new assignment took away (OnPartitionsRevoked(moved)),
//                gets only what is new (OnPartitionsAssigned(added)) and,
//                having revoked something, rejoins at once so the moved
//                partitions reach their new owner.
// Poll() never waits for a rebalance to finish (Kafka's waitForJoinGroup
// = false): it sends JoinGroup/SyncGroup and goes on fetching; the
// responses are handled at later passes. Partitions without a position get
// their committed offset through OffsetFetch, else auto.offset.reset.
//
// Thread model: everything on the application thread (inside the
// consumer's calls) except the heartbeat thread, which shares the group
// identity and the heartbeat timers with it under mu_.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/metadata.h"
#include "consumer/consumer_metrics.h"
#include "consumer/consumer_network_client.h"
#include "consumer/partition_assignor.h"
#include "consumer/subscription_state.h"
#include "gregor/consumer.h"
#include "protocol/consumer_protocol.h"
#include "protocol/join_group.h"

namespace gregor {

/// Kafka's MemberState.
enum class MemberState { kUnjoined, kPreparingRebalance, kCompletingRebalance, kStable };

/// See the file comment.
class ConsumerCoordinator {
 public:
  /// Builds the assignors named by partition.assignment.strategy.
  /// Errors: INVALID_CONFIG for an unknown name.
  static Result<std::vector<std::unique_ptr<PartitionAssignor>>> MakeAssignors(
      const std::vector<std::string>& names);

  /// Everything passed must outlive the coordinator. Starts the heartbeat
  /// thread (idle until the member is STABLE).
  ConsumerCoordinator(const ConsumerConfig& config, ConsumerNetworkClient& client,
                      Metadata& metadata, SubscriptionState& subscriptions,
                      ConsumerMetrics& metrics,
                      std::vector<std::unique_ptr<PartitionAssignor>> assignors);
  ~ConsumerCoordinator();

  /// One round of group work inside Poll(): commit callbacks, coordinator
  /// lookup, join/sync if needed (subscribe mode), auto-commit. Waits at
  /// most until deadline_ms. Errors: wakeup, and fatal group errors
  /// (e.g. INCONSISTENT_GROUP_PROTOCOL, FENCED_INSTANCE_ID).
  Status Poll(int64_t deadline_ms);
  /// How long Poll()'s caller may wait before calling again.
  int64_t TimeToNextPoll(int64_t now_ms) const;
  /// The next Poll() rejoins (subscription changed, topics changed).
  void RequestRejoin(const std::string& reason);
  /// Sends OffsetFetch for assigned partitions still INITIALIZING (one
  /// request at a time); the answer seeks them or asks for a reset.
  void RefreshCommittedOffsetsIfNeeded();

  /// The committed offsets of `partitions`. Errors: REQUEST_TIMED_OUT,
  /// wakeup, group errors.
  Result<std::map<TopicPartition, OffsetAndMetadata>> FetchCommittedOffsets(
      const std::set<TopicPartition>& partitions, int64_t deadline_ms);
  /// Commits and waits, retrying retriable errors until deadline_ms.
  /// Errors: ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID / REBALANCE_IN_PROGRESS
  /// (Kafka's CommitFailedException), REQUEST_TIMED_OUT, wakeup.
  Status CommitOffsetsSync(const std::map<TopicPartition, OffsetAndMetadata>& offsets,
                           int64_t deadline_ms, bool wakeups = true);
  /// Commits without waiting; `callback` runs in a later Poll()/commit.
  void CommitOffsetsAsync(const std::map<TopicPartition, OffsetAndMetadata>& offsets,
                          OffsetCommitCallback callback);
  /// Unsubscribe: revoke (listener), LeaveGroup (waiting for its answer
  /// until deadline_ms at most), back to UNJOINED.
  void MaybeLeaveGroup(const std::string& reason, bool revoke, int64_t deadline_ms);
  /// Close: auto-commit (sync), revoke, LeaveGroup; stops the heartbeat
  /// thread. At most until deadline_ms.
  void Close(int64_t deadline_ms);

  MemberState state() const;
  int32_t generation() const;
  /// The protocol this member follows; see the file comment.
  RebalanceProtocol protocol() const { return protocol_; }
  std::string member_id() const;

 private:
  enum class Phase { kIdle, kJoinSent, kJoined, kSyncSent };

  // The coordinator's address, if known (under mu_).
  std::optional<Node> Coordinator() const;
  bool EnsureCoordinatorReady(int64_t deadline_ms, Status* error, bool wakeups = true);
  void SendFindCoordinator();
  Status EnsureActiveGroup(int64_t deadline_ms);
  void SendJoinGroup();
  void HandleJoinResponse(const ClientResponse& r);
  Status SendSyncGroup(int64_t deadline_ms);
  void HandleSyncResponse(const ClientResponse& r);
  void OnJoinPrepare();
  void OnJoinComplete(const std::vector<TopicPartition>& assigned);
  // One JoinGroup protocol entry per assignor (its subscription metadata).
  std::vector<JoinGroupRequestProtocol> Protocols() const;
  // ConsumerProtocol's topic lists <-> sorted TopicPartitions.
  static std::vector<TopicPartition> FromProtocol(
      const std::vector<ConsumerProtocolTopicPartition>& parts);
  static std::vector<ConsumerProtocolTopicPartition> ToProtocol(
      const std::vector<TopicPartition>& tps);
  // REQUIRES: mu_ held.
  void ResetGenerationLocked(bool reset_member_id, const std::string& reason);
  void ResetGeneration(bool reset_member_id, const std::string& reason);
  void MarkCoordinatorUnknown(const std::string& reason);
  // An error that means the coordinator is gone or unreachable: find it
  // again and retry (Kafka's markCoordinatorUnknown cases).
  static bool IsCoordinatorError(ErrorCode e);
  void SendOffsetCommit(const std::map<TopicPartition, OffsetAndMetadata>& offsets,
                        std::function<void(const Status&)> done);
  void MaybeAutoCommitAsync(int64_t now_ms);
  void HeartbeatLoop();
  void HandleHeartbeatResponse(int32_t generation, const ClientResponse& r);
  void SendLeaveGroup(const std::string& reason, int64_t deadline_ms);
  Status PollUntil(int64_t deadline_ms, const std::function<bool()>& done, bool wakeups = true);
  int64_t NowMs() const { return client_.clock().NowMs(); }

  const ConsumerConfig& config_;
  ConsumerNetworkClient& client_;
  Metadata& metadata_;
  SubscriptionState& subscriptions_;
  ConsumerMetrics& metrics_;
  const std::vector<std::unique_ptr<PartitionAssignor>> assignors_;
  const RebalanceProtocol protocol_;

  mutable std::mutex mu_;
  std::condition_variable cv_;  // wakes the heartbeat thread
  // Guarded by mu_ (shared with the heartbeat thread):
  MemberState state_ = MemberState::kUnjoined;
  int32_t generation_ = -1;
  std::string member_id_;
  std::optional<Node> coordinator_;
  bool rejoin_needed_ = true;
  bool partitions_lost_ = false;
  int64_t last_poll_ms_ = 0;
  int64_t next_heartbeat_ms_ = 0;
  bool heartbeat_in_flight_ = false;
  bool closing_ = false;

  // Only on the application thread:
  Phase phase_ = Phase::kIdle;
  bool join_prepared_ = false;
  int64_t join_retry_ms_ = 0;
  std::optional<JoinGroupResponse> joined_;
  std::optional<Status> fatal_;
  bool find_in_flight_ = false;
  int64_t find_retry_ms_ = 0;
  int64_t next_auto_commit_ms_ = 0;
  int64_t rebalance_start_ns_ = 0;
  bool offset_fetch_in_flight_ = false;
  int async_commits_in_flight_ = 0;
  // What the member owned in its last generation (for "sticky" user data).
  std::vector<TopicPartition> last_assignment_;
  int32_t last_generation_ = -1;
  std::vector<std::pair<std::map<TopicPartition, OffsetAndMetadata>, OffsetCommitCallback>>
      pending_async_commits_;

  std::thread heartbeat_thread_;  // last: starts after everything above exists
};

}  // namespace gregor
