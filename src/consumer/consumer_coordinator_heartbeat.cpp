// SPDX-License-Identifier: Apache-2.0
// ConsumerCoordinator, staying and leaving: the heartbeat thread (Kafka's
// AbstractCoordinator.HeartbeatThread), its responses, the
// max.poll.interval.ms check, and LeaveGroup on Unsubscribe/Close.
// Joining is in consumer_coordinator.cpp.
#include <algorithm>

#include "common/logging.h"
#include "consumer/consumer_coordinator.h"
#include "protocol/heartbeat.h"
#include "protocol/leave_group.h"

namespace gregor {

// [consumer-heartbeat-loop]
void ConsumerCoordinator::HeartbeatLoop() {
  std::unique_lock lock(mu_);
  while (!closing_) {
    cv_.wait_for(lock, std::chrono::milliseconds(
                           std::clamp<int64_t>(config_.heartbeat_interval_ms / 4, 5, 100)));
    if (closing_) break;
    if (state_ != MemberState::kStable || !coordinator_) continue;
    int64_t now = NowMs();
    if (now - last_poll_ms_ > config_.max_poll_interval_ms) {
      Logger("consumer")
          ->warn(
              "consumer poll timeout has expired: the time between subsequent calls to poll() was "
              "longer than max.poll.interval.ms={}; leaving group {}",
              config_.max_poll_interval_ms, config_.group_id);
      LeaveGroupRequest req;
      req.group_id = config_.group_id;
      req.member_id = member_id_;
      req.members.push_back({member_id_, config_.group_instance_id});
      ClientRequest r = MakeClientRequest(*coordinator_, std::move(req), [](ClientResponse) {});
      if (!config_.group_instance_id) client_.SendOnNetworkThread(std::move(r));
      ResetGenerationLocked(true, "max.poll.interval.ms expired");
      client_.Notify();
      continue;
    }
    if (heartbeat_in_flight_ || now < next_heartbeat_ms_) continue;
    HeartbeatRequest req;
    req.group_id = config_.group_id;
    req.generation_id = generation_;
    req.member_id = member_id_;
    req.group_instance_id = config_.group_instance_id;
    heartbeat_in_flight_ = true;
    next_heartbeat_ms_ = now + config_.heartbeat_interval_ms;
    ++metrics_.heartbeat_total;
    int32_t generation = generation_;
    ClientRequest r = MakeClientRequest(
        *coordinator_, std::move(req),
        [this, generation](ClientResponse resp) { HandleHeartbeatResponse(generation, resp); });
    lock.unlock();
    client_.SendOnNetworkThread(std::move(r));
    lock.lock();
  }
}
// [consumer-heartbeat-loop]

void ConsumerCoordinator::HandleHeartbeatResponse(int32_t generation, const ClientResponse& r) {
  auto decoded = DecodeResponse<HeartbeatResponse>(r);
  ErrorCode e = decoded.ok() ? decoded->error_code : decoded.status().code();
  {
    std::lock_guard lock(mu_);
    heartbeat_in_flight_ = false;
    if (generation != generation_ || e == ErrorCode::kNone) return;
    switch (e) {
      case ErrorCode::kRebalanceInProgress:
        Logger("consumer")
            ->info("group {} is rebalancing; rejoining at the next poll", config_.group_id);
        rejoin_needed_ = true;
        break;
      case ErrorCode::kIllegalGeneration:
        ResetGenerationLocked(false, "Heartbeat: ILLEGAL_GENERATION");
        break;
      case ErrorCode::kUnknownMemberId:
      case ErrorCode::kFencedInstanceId:
        ResetGenerationLocked(true, std::string("Heartbeat: ") + ErrorName(e));
        break;
      default:
        if (IsCoordinatorError(e)) {
          coordinator_.reset();
        } else {
          Logger("consumer")->warn("heartbeat failed: {}", ErrorName(e));
        }
        next_heartbeat_ms_ = NowMs() + config_.retry_backoff_ms;
        return;
    }
  }
  client_.Notify();  // a blocked Poll() should rejoin now
}

void ConsumerCoordinator::SendLeaveGroup(const std::string& reason, int64_t deadline_ms) {
  std::optional<Node> coordinator;
  LeaveGroupRequest req;
  {
    std::lock_guard lock(mu_);
    if (member_id_.empty() || !coordinator_ || config_.group_instance_id) {
      // A static member does not leave: its partitions wait for it until
      // session.timeout.ms (KIP-345).
      return;
    }
    coordinator = coordinator_;
    req.group_id = config_.group_id;
    req.member_id = member_id_;
    req.members.push_back({member_id_, std::nullopt});
  }
  Logger("consumer")
      ->info("member {} leaving group {}: {}", req.member_id, config_.group_id, reason);
  auto done = std::make_shared<bool>(false);
  client_.Send(MakeClientRequest(*coordinator, std::move(req), nullptr),
               [done](ClientResponse) { *done = true; });
  // Wait for the answer (bounded by the caller) so Close() does not drop
  // the request on the floor.
  (void)PollUntil(
      std::min(deadline_ms, NowMs() + config_.request_timeout_ms), [done] { return *done; }, false);
}

void ConsumerCoordinator::MaybeLeaveGroup(const std::string& reason, bool revoke,
                                          int64_t deadline_ms) {
  if (revoke) {
    std::vector<TopicPartition> owned = subscriptions_.AssignedPartitionList();
    if (const auto& listener = subscriptions_.listener(); listener && !owned.empty()) {
      listener->OnPartitionsRevoked(owned);
    }
  }
  SendLeaveGroup(reason, deadline_ms);
  ResetGeneration(true, reason);
  {
    std::lock_guard lock(mu_);
    partitions_lost_ = false;
  }
  phase_ = Phase::kIdle;
  joined_.reset();
  join_prepared_ = false;
}

void ConsumerCoordinator::Close(int64_t deadline_ms) {
  // Asynchronous commits still out finish (and call back) first, as Kafka's
  // close does; those still waiting for a coordinator fail.
  (void)PollUntil(
      deadline_ms, [this] { return async_commits_in_flight_ == 0; }, false);
  for (auto& [offsets, callback] : pending_async_commits_) {
    if (callback) {
      callback(offsets, Status(ErrorCode::kCoordinatorNotAvailable,
                               "the consumer closed before the group coordinator was found"));
    }
  }
  pending_async_commits_.clear();
  if (config_.enable_auto_commit && !subscriptions_.AllConsumed().empty()) {
    bool stable = state() == MemberState::kStable;
    if (stable || !subscriptions_.HasAutoAssignedPartitions()) {
      Status s = CommitOffsetsSync(subscriptions_.AllConsumed(), deadline_ms, false);
      if (!s.ok()) Logger("consumer")->warn("offset commit on close failed: {}", s.ToString());
    }
  }
  if (subscriptions_.HasAutoAssignedPartitions()) {
    MaybeLeaveGroup("the consumer is being closed", true, deadline_ms);
  }
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
}

}  // namespace gregor
