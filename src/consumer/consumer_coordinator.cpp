// SPDX-License-Identifier: Apache-2.0
// ConsumerCoordinator, joining: coordinator lookup, the rebalance loop,
// JoinGroup / SyncGroup responses and the listener calls around them. The
// leader's assignment and the protocol metadata are in
// consumer_coordinator_assignment.cpp, the heartbeat thread and leaving in
// consumer_coordinator_heartbeat.cpp, offsets in
// consumer_coordinator_offsets.cpp.
#include "consumer/consumer_coordinator.h"

#include <algorithm>
#include <climits>
#include <iterator>

#include "common/logging.h"
#include "protocol/consumer_protocol.h"
#include "protocol/find_coordinator.h"
#include "protocol/sync_group.h"

namespace gregor {

bool ConsumerCoordinator::IsCoordinatorError(ErrorCode e) {
  return e == ErrorCode::kCoordinatorNotAvailable || e == ErrorCode::kNotCoordinator ||
         e == ErrorCode::kNetworkException || e == ErrorCode::kRequestTimedOut;
}

ConsumerCoordinator::ConsumerCoordinator(const ConsumerConfig& config,
                                         ConsumerNetworkClient& client, Metadata& metadata,
                                         SubscriptionState& subscriptions, ConsumerMetrics& metrics,
                                         std::vector<std::unique_ptr<PartitionAssignor>> assignors)
    : config_(config),
      client_(client),
      metadata_(metadata),
      subscriptions_(subscriptions),
      metrics_(metrics),
      assignors_(std::move(assignors)),
      protocol_(std::all_of(assignors_.begin(), assignors_.end(),
                            [](const auto& a) {
                              auto p = a->supported_protocols();
                              return std::find(p.begin(), p.end(),
                                               RebalanceProtocol::kCooperative) != p.end();
                            }) &&
                        !assignors_.empty()
                    ? RebalanceProtocol::kCooperative
                    : RebalanceProtocol::kEager),
      last_poll_ms_(client.clock().NowMs()),
      next_auto_commit_ms_(client.clock().NowMs() + config.auto_commit_interval_ms),
      heartbeat_thread_([this] { HeartbeatLoop(); }) {}

ConsumerCoordinator::~ConsumerCoordinator() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
}

MemberState ConsumerCoordinator::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

int32_t ConsumerCoordinator::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

std::string ConsumerCoordinator::member_id() const {
  std::lock_guard lock(mu_);
  return member_id_;
}

std::optional<Node> ConsumerCoordinator::Coordinator() const {
  std::lock_guard lock(mu_);
  return coordinator_;
}

Status ConsumerCoordinator::PollUntil(int64_t deadline_ms, const std::function<bool()>& done,
                                      bool wakeups) {
  auto r = client_.Poll(std::max<int64_t>(0, deadline_ms - NowMs()), done, wakeups);
  if (r == ConsumerNetworkClient::PollResult::kWakeup) {
    return Status(ErrorCode::kOperationNotAttempted, "WakeupException: the consumer was woken up");
  }
  return Status::Ok();
}

void ConsumerCoordinator::MarkCoordinatorUnknown(const std::string& reason) {
  std::lock_guard lock(mu_);
  if (coordinator_) {
    Logger("consumer")
        ->info("group coordinator {} is unavailable: {}", coordinator_->ToString(), reason);
  }
  coordinator_.reset();
}

void ConsumerCoordinator::SendFindCoordinator() {
  std::vector<Node> nodes = metadata_.Nodes();
  if (nodes.empty()) return;
  FindCoordinatorRequest req;
  req.key = config_.group_id;
  req.key_type = int8_t(CoordinatorType::kGroup);
  find_in_flight_ = true;
  const Node& node = nodes[size_t(NowMs()) % nodes.size()];
  client_.Send(MakeClientRequest(node, std::move(req), nullptr), [this](ClientResponse r) {
    find_in_flight_ = false;
    auto decoded = DecodeResponse<FindCoordinatorResponse>(r);
    if (decoded.ok() && decoded->error_code == ErrorCode::kNone) {
      // Its own connection (Kafka: id MAX_VALUE - node id), so a parked
      // JoinGroup never holds up fetches from the same broker.
      std::lock_guard lock(mu_);
      coordinator_ = Node{INT32_MAX - decoded->node_id, decoded->host, decoded->port};
      return;
    }
    Logger("consumer")
        ->debug("FindCoordinator failed: {}",
                decoded.ok() ? ErrorName(decoded->error_code) : decoded.status().ToString());
    find_retry_ms_ = NowMs() + config_.retry_backoff_ms;
    if (!decoded.ok()) metadata_.RequestUpdate();
  });
}

bool ConsumerCoordinator::EnsureCoordinatorReady(int64_t deadline_ms, Status* error, bool wakeups) {
  for (;;) {
    if (Coordinator()) return true;
    int64_t now = NowMs();
    if (!find_in_flight_ && now >= find_retry_ms_) SendFindCoordinator();
    if (now >= deadline_ms) return false;
    int64_t until = find_in_flight_ ? deadline_ms : std::min(deadline_ms, find_retry_ms_);
    Status s = PollUntil(
        until, [this] { return Coordinator().has_value() || !find_in_flight_; }, wakeups);
    if (!s.ok()) {
      *error = s;
      return false;
    }
  }
}

void ConsumerCoordinator::RequestRejoin(const std::string& reason) {
  std::lock_guard lock(mu_);
  if (!rejoin_needed_) Logger("consumer")->info("request joining group due to: {}", reason);
  rejoin_needed_ = true;
}

int64_t ConsumerCoordinator::TimeToNextPoll(int64_t now_ms) const {
  int64_t wait = INT64_MAX;
  if (config_.enable_auto_commit) wait = std::max<int64_t>(0, next_auto_commit_ms_ - now_ms);
  std::lock_guard lock(mu_);
  if (subscriptions_.HasAutoAssignedPartitions() &&
      (rejoin_needed_ || state_ != MemberState::kStable)) {
    wait = std::min<int64_t>(wait, config_.retry_backoff_ms);
  }
  return wait;
}

Status ConsumerCoordinator::Poll(int64_t deadline_ms) {
  {
    std::lock_guard lock(mu_);
    last_poll_ms_ = NowMs();
  }
  if (fatal_) {
    Status s = *fatal_;
    fatal_.reset();
    return s;
  }
  if (subscriptions_.HasAutoAssignedPartitions() || !pending_async_commits_.empty()) {
    Status error;
    if (!EnsureCoordinatorReady(deadline_ms, &error)) return error;  // ok on timeout
  }
  if (subscriptions_.HasAutoAssignedPartitions()) {
    // Kafka's waitForJoinGroup = false: send what the rebalance needs and
    // go on fetching; the next passes pick the responses up.
    Status s = EnsureActiveGroup(std::min(deadline_ms, NowMs()));
    if (!s.ok()) return s;
  }
  if (!pending_async_commits_.empty() && Coordinator()) {
    auto pending = std::move(pending_async_commits_);
    pending_async_commits_.clear();
    for (auto& [offsets, cb] : pending) CommitOffsetsAsync(offsets, std::move(cb));
  }
  MaybeAutoCommitAsync(NowMs());
  return Status::Ok();
}

Status ConsumerCoordinator::EnsureActiveGroup(int64_t deadline_ms) {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (state_ == MemberState::kStable && !rejoin_needed_) return Status::Ok();
    }
    if (fatal_) {
      Status s = *fatal_;
      fatal_.reset();
      return s;
    }
    Status error;
    if (!EnsureCoordinatorReady(deadline_ms, &error)) return error;
    if (!join_prepared_) OnJoinPrepare();
    int64_t now = NowMs();
    if (phase_ == Phase::kIdle && now >= join_retry_ms_) SendJoinGroup();
    if (phase_ == Phase::kJoined) {
      Status s = SendSyncGroup(deadline_ms);
      if (!s.ok()) return s;
      continue;
    }
    if (now >= deadline_ms) return Status::Ok();  // resumed by the next Poll()
    Phase before = phase_;
    int64_t until = phase_ == Phase::kIdle ? std::min(deadline_ms, join_retry_ms_) : deadline_ms;
    Status s = PollUntil(until, [&] { return phase_ != before || fatal_.has_value(); });
    if (!s.ok()) return s;
  }
}

// [consumer-join-prepare]
void ConsumerCoordinator::OnJoinPrepare() {
  bool lost;
  {
    std::lock_guard lock(mu_);
    lost = partitions_lost_ || generation_ < 0;
    partitions_lost_ = false;
    last_generation_ = generation_;
  }
  if (config_.enable_auto_commit && !lost) {
    Status s = CommitOffsetsSync(subscriptions_.AllConsumed(), NowMs() + config_.request_timeout_ms,
                                 false);
    if (!s.ok()) {
      Logger("consumer")->warn("offset commit before rebalance failed: {}", s.ToString());
    }
  }
  std::vector<TopicPartition> owned = subscriptions_.AssignedPartitionList();
  const auto& listener = subscriptions_.listener();
  if (lost) {
    // Others may own them already: lost, not revoked, in both protocols.
    if (listener && !owned.empty()) listener->OnPartitionsLost(owned);
    subscriptions_.AssignFromSubscribed({});
  } else if (protocol_ == RebalanceProtocol::kEager) {
    // Eager: give up everything before joining.
    if (listener && !owned.empty()) listener->OnPartitionsRevoked(owned);
    last_assignment_ = owned;
    subscriptions_.AssignFromSubscribed({});
  }
  // Cooperative: keep everything (and keep fetching) while rejoining.
  join_prepared_ = true;
  rebalance_start_ns_ = client_.clock().NowNs();
}
// [consumer-join-prepare]

void ConsumerCoordinator::SendJoinGroup() {
  std::optional<Node> coordinator = Coordinator();
  if (!coordinator) return;
  JoinGroupRequest req;
  req.group_id = config_.group_id;
  req.session_timeout_ms = config_.session_timeout_ms;
  req.rebalance_timeout_ms = int32_t(config_.max_poll_interval_ms);
  req.group_instance_id = config_.group_instance_id;
  req.protocol_type = kConsumerProtocolType;
  req.protocols = Protocols();
  {
    std::lock_guard lock(mu_);
    req.member_id = member_id_;
    state_ = MemberState::kPreparingRebalance;
  }
  phase_ = Phase::kJoinSent;
  ClientRequest r = MakeClientRequest(*coordinator, std::move(req), nullptr);
  // The coordinator holds a JoinGroup until every member joined.
  r.request_timeout_ms =
      std::max<int64_t>(config_.request_timeout_ms, config_.max_poll_interval_ms + 5000);
  Logger("consumer")->debug("(re-)joining group {}", config_.group_id);
  client_.Send(std::move(r), [this](ClientResponse resp) { HandleJoinResponse(resp); });
}

void ConsumerCoordinator::HandleJoinResponse(const ClientResponse& r) {
  phase_ = Phase::kIdle;
  auto decoded = DecodeResponse<JoinGroupResponse>(r);
  ErrorCode e = decoded.ok() ? decoded->error_code : decoded.status().code();
  switch (e) {
    case ErrorCode::kNone: {
      std::lock_guard lock(mu_);
      generation_ = decoded->generation_id;
      member_id_ = decoded->member_id;
      state_ = MemberState::kCompletingRebalance;
    }
      joined_ = std::move(*decoded);
      phase_ = Phase::kJoined;
      return;
    case ErrorCode::kMemberIdRequired:  // KIP-394: join again with this id
    {
      std::lock_guard lock(mu_);
      member_id_ = decoded->member_id;
    }
      join_retry_ms_ = 0;
      return;
    case ErrorCode::kUnknownMemberId:
      ResetGeneration(true, "JoinGroup: UNKNOWN_MEMBER_ID");
      join_retry_ms_ = 0;
      return;
    case ErrorCode::kIllegalGeneration:
      ResetGeneration(false, "JoinGroup: ILLEGAL_GENERATION");
      join_retry_ms_ = 0;
      return;
    case ErrorCode::kRebalanceInProgress:
    case ErrorCode::kCoordinatorLoadInProgress:
      join_retry_ms_ = NowMs() + config_.retry_backoff_ms;
      return;
    default:
      if (IsCoordinatorError(e) || e == ErrorCode::kUnknownServerError) {
        MarkCoordinatorUnknown(std::string("JoinGroup: ") + ErrorName(e));
        join_retry_ms_ = NowMs() + config_.retry_backoff_ms;
        return;
      }
      ++metrics_.failed_rebalance_total;
      {
        std::lock_guard lock(mu_);
        state_ = MemberState::kUnjoined;
      }
      fatal_ = Status(e, "JoinGroup of group " + config_.group_id + " failed: " + ErrorName(e) +
                             (decoded.ok() ? "" : " " + decoded.status().message()));
  }
}

void ConsumerCoordinator::HandleSyncResponse(const ClientResponse& r) {
  phase_ = Phase::kIdle;
  auto decoded = DecodeResponse<SyncGroupResponse>(r);
  ErrorCode e = decoded.ok() ? decoded->error_code : decoded.status().code();
  if (e == ErrorCode::kNone) {
    std::vector<TopicPartition> assigned;
    if (!decoded->assignment.empty()) {
      auto a = DecodeConsumerProtocol<ConsumerProtocolAssignment>(decoded->assignment);
      if (!a.ok()) {
        fatal_ = Status(ErrorCode::kInconsistentGroupProtocol,
                        "bad assignment from the leader: " + a.status().message());
        return;
      }
      assigned = ConsumerCoordinator::FromProtocol(a->assigned_partitions);
    }
    OnJoinComplete(assigned);
    return;
  }
  ++metrics_.failed_rebalance_total;
  join_retry_ms_ = 0;
  switch (e) {
    case ErrorCode::kRebalanceInProgress:
      return;  // join again
    case ErrorCode::kUnknownMemberId:
    case ErrorCode::kFencedInstanceId:
      ResetGeneration(true, std::string("SyncGroup: ") + ErrorName(e));
      return;
    case ErrorCode::kIllegalGeneration:
      ResetGeneration(false, "SyncGroup: ILLEGAL_GENERATION");
      return;
    default:
      if (IsCoordinatorError(e) || e == ErrorCode::kUnknownServerError) {
        MarkCoordinatorUnknown(std::string("SyncGroup: ") + ErrorName(e));
        join_retry_ms_ = NowMs() + config_.retry_backoff_ms;
        return;
      }
      fatal_ = Status(e, std::string("SyncGroup failed: ") + ErrorName(e));
  }
}

// [consumer-join-complete]
void ConsumerCoordinator::OnJoinComplete(const std::vector<TopicPartition>& assigned) {
  std::vector<TopicPartition> mine;
  for (const auto& tp : assigned) {
    // A pattern or topic list may have moved on since the leader assigned.
    if (subscriptions_.subscription().count(tp.topic)) mine.push_back(tp);
  }
  // Under eager nothing is owned here; under cooperative, what is kept.
  std::set<TopicPartition> owned = subscriptions_.AssignedPartitions();
  std::set<TopicPartition> now(mine.begin(), mine.end());
  std::vector<TopicPartition> revoked, added;
  std::set_difference(owned.begin(), owned.end(), now.begin(), now.end(),
                      std::back_inserter(revoked));
  std::set_difference(now.begin(), now.end(), owned.begin(), owned.end(),
                      std::back_inserter(added));
  const auto& listener = subscriptions_.listener();
  if (listener && !revoked.empty()) listener->OnPartitionsRevoked(revoked);
  subscriptions_.AssignFromSubscribed(mine);
  int32_t generation;
  {
    std::lock_guard lock(mu_);
    state_ = MemberState::kStable;
    // Cooperative: what was revoked goes to its new owner in a follow-up
    // rebalance, which this member starts.
    rejoin_needed_ = !revoked.empty();
    next_heartbeat_ms_ = NowMs() + config_.heartbeat_interval_ms;
    generation = generation_;
  }
  cv_.notify_all();
  join_prepared_ = false;
  ++metrics_.rebalance_total;
  metrics_.rebalance_latency_ns_total += client_.clock().NowNs() - rebalance_start_ns_;
  next_auto_commit_ms_ = NowMs() + config_.auto_commit_interval_ms;
  Logger("consumer")
      ->info("group {} generation {}: assigned {} partitions ({} new, {} revoked)",
             config_.group_id, generation, mine.size(), added.size(), revoked.size());
  if (listener) listener->OnPartitionsAssigned(added);
}
// [consumer-join-complete]

void ConsumerCoordinator::ResetGenerationLocked(bool reset_member_id, const std::string& reason) {
  Logger("consumer")->debug("resetting generation of group {}: {}", config_.group_id, reason);
  generation_ = -1;
  if (reset_member_id) member_id_.clear();
  state_ = MemberState::kUnjoined;
  rejoin_needed_ = true;
  partitions_lost_ = true;
}

void ConsumerCoordinator::ResetGeneration(bool reset_member_id, const std::string& reason) {
  std::lock_guard lock(mu_);
  ResetGenerationLocked(reset_member_id, reason);
}

}  // namespace gregor
