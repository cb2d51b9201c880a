// SPDX-License-Identifier: Apache-2.0
// ConsumerCoordinator, committed offsets: OffsetCommit (sync, async,
// auto-commit) and OffsetFetch (committed(), and the starting position of
// newly assigned partitions). Membership is in consumer_coordinator.cpp.
#include <algorithm>

#include "common/logging.h"
#include "consumer/consumer_coordinator.h"
#include "protocol/offset_commit.h"
#include "protocol/offset_fetch.h"

namespace gregor {

namespace {

bool IsRetriableCommitError(ErrorCode e) {
  return e == ErrorCode::kCoordinatorNotAvailable || e == ErrorCode::kNotCoordinator ||
         e == ErrorCode::kNetworkException || e == ErrorCode::kRequestTimedOut ||
         e == ErrorCode::kCoordinatorLoadInProgress || e == ErrorCode::kUnknownTopicOrPartition;
}

}  // namespace

void ConsumerCoordinator::SendOffsetCommit(
    const std::map<TopicPartition, OffsetAndMetadata>& offsets,
    std::function<void(const Status&)> done) {
  std::optional<Node> coordinator = Coordinator();
  if (!coordinator) {
    done(Status(ErrorCode::kCoordinatorNotAvailable, "group coordinator unknown"));
    return;
  }
  OffsetCommitRequest req;
  req.group_id = config_.group_id;
  if (subscriptions_.HasAutoAssignedPartitions()) {
    std::lock_guard lock(mu_);
    if (state_ != MemberState::kStable) {
      // Kafka: RebalanceInProgressException / CommitFailedException.
      done(Status(generation_ < 0 ? ErrorCode::kIllegalGeneration : ErrorCode::kRebalanceInProgress,
                  "Commit cannot be completed since the group is rebalancing or the member is "
                  "not part of an active group"));
      return;
    }
    req.generation_id = generation_;
    req.member_id = member_id_;
    req.group_instance_id = config_.group_instance_id;
  }
  for (const auto& [tp, om] : offsets) {
    if (req.topics.empty() || req.topics.back().name != tp.topic) {
      req.topics.push_back(OffsetCommitRequestTopic{tp.topic, {}});
    }
    OffsetCommitRequestPartition p;
    p.partition_index = tp.partition.value();
    p.committed_offset = om.offset;
    p.committed_leader_epoch = om.leader_epoch;
    p.committed_metadata = om.metadata;
    req.topics.back().partitions.push_back(std::move(p));
  }
  client_.Send(
      MakeClientRequest(*coordinator, std::move(req), nullptr),
      [this, done = std::move(done)](ClientResponse r) {
        auto decoded = DecodeResponse<OffsetCommitResponse>(r);
        if (!decoded.ok()) {
          MarkCoordinatorUnknown("OffsetCommit: " + decoded.status().ToString());
          done(decoded.status());
          return;
        }
        for (const auto& t : decoded->topics) {
          for (const auto& p : t.partitions) {
            ErrorCode e = p.error_code;
            if (e == ErrorCode::kNone) continue;
            if (e == ErrorCode::kNotCoordinator || e == ErrorCode::kCoordinatorNotAvailable) {
              MarkCoordinatorUnknown(std::string("OffsetCommit: ") + ErrorName(e));
            } else if (e == ErrorCode::kUnknownMemberId) {
              ResetGeneration(true, "OffsetCommit: UNKNOWN_MEMBER_ID");
            } else if (e == ErrorCode::kIllegalGeneration) {
              ResetGeneration(false, "OffsetCommit: ILLEGAL_GENERATION");
            } else if (e == ErrorCode::kRebalanceInProgress) {
              RequestRejoin("OffsetCommit: REBALANCE_IN_PROGRESS");
            }
            done(Status(e, "Offset commit of " + t.name + "-" + std::to_string(p.partition_index) +
                               " failed: " + ErrorName(e)));
            return;
          }
        }
        ++metrics_.commit_total;
        done(Status::Ok());
      });
}

Status ConsumerCoordinator::CommitOffsetsSync(
    const std::map<TopicPartition, OffsetAndMetadata>& offsets, int64_t deadline_ms, bool wakeups) {
  if (offsets.empty()) return Status::Ok();
  for (;;) {
    Status error;
    if (!EnsureCoordinatorReady(deadline_ms, &error, wakeups)) {
      if (!error.ok()) return error;
      return Status(ErrorCode::kRequestTimedOut,
                    "Timeout of the offset commit: the group coordinator was not found");
    }
    auto result = std::make_shared<std::optional<Status>>();
    SendOffsetCommit(offsets, [result](const Status& s) { *result = s; });
    Status s = PollUntil(
        deadline_ms, [result] { return result->has_value(); }, wakeups);
    if (!s.ok()) return s;
    if (!result->has_value()) {
      return Status(ErrorCode::kRequestTimedOut, "Timeout of the offset commit");
    }
    if ((*result)->ok() || !IsRetriableCommitError((*result)->code())) return **result;
    if (NowMs() + config_.retry_backoff_ms >= deadline_ms) return **result;
    s = PollUntil(
        NowMs() + config_.retry_backoff_ms, [] { return false; }, wakeups);
    if (!s.ok()) return s;
  }
}

void ConsumerCoordinator::CommitOffsetsAsync(
    const std::map<TopicPartition, OffsetAndMetadata>& offsets, OffsetCommitCallback callback) {
  if (!Coordinator()) {
    // Sent once the coordinator is found (Kafka's pendingAsyncCommits).
    if (!find_in_flight_) SendFindCoordinator();
    pending_async_commits_.emplace_back(offsets, std::move(callback));
    return;
  }
  ++async_commits_in_flight_;
  SendOffsetCommit(offsets, [this, offsets, callback = std::move(callback)](const Status& s) {
    --async_commits_in_flight_;
    if (!s.ok()) Logger("consumer")->debug("asynchronous commit failed: {}", s.ToString());
    if (callback) callback(offsets, s);
  });
}

// [consumer-auto-commit]
void ConsumerCoordinator::MaybeAutoCommitAsync(int64_t now_ms) {
  if (!config_.enable_auto_commit || now_ms < next_auto_commit_ms_) return;
  next_auto_commit_ms_ = now_ms + config_.auto_commit_interval_ms;
  if (subscriptions_.HasAutoAssignedPartitions() && state() != MemberState::kStable) return;
  auto offsets = subscriptions_.AllConsumed();
  if (offsets.empty()) return;
  CommitOffsetsAsync(offsets, nullptr);
}
// [consumer-auto-commit]

namespace {

OffsetFetchRequest MakeOffsetFetch(const std::string& group,
                                   const std::set<TopicPartition>& partitions) {
  OffsetFetchRequest req;
  req.group_id = group;
  for (const auto& tp : partitions) {
    if (req.topics->empty() || req.topics->back().name != tp.topic) {
      req.topics->push_back(OffsetFetchRequestTopic{tp.topic, {}});
    }
    req.topics->back().partition_indexes.push_back(tp.partition.value());
  }
  return req;
}

// The committed offsets in `r`, or the first error (group or partition).
Result<std::map<TopicPartition, OffsetAndMetadata>> ParseOffsetFetch(const ClientResponse& r) {
  auto decoded = DecodeResponse<OffsetFetchResponse>(r);
  if (!decoded.ok()) return decoded.status();
  if (decoded->error_code != ErrorCode::kNone) {
    return Status(decoded->error_code,
                  std::string("OffsetFetch failed: ") + ErrorName(decoded->error_code));
  }
  std::map<TopicPartition, OffsetAndMetadata> out;
  for (const auto& t : decoded->topics) {
    for (const auto& p : t.partitions) {
      if (p.error_code != ErrorCode::kNone) {
        return Status(p.error_code, "OffsetFetch of " + t.name + "-" +
                                        std::to_string(p.partition_index) +
                                        " failed: " + ErrorName(p.error_code));
      }
      if (p.committed_offset < 0) continue;
      out[TopicPartition{t.name, PartitionId(p.partition_index)}] =
          OffsetAndMetadata{p.committed_offset, p.metadata.value_or(""), p.committed_leader_epoch};
    }
  }
  return out;
}

}  // namespace

Result<std::map<TopicPartition, OffsetAndMetadata>> ConsumerCoordinator::FetchCommittedOffsets(
    const std::set<TopicPartition>& partitions, int64_t deadline_ms) {
  using Out = Result<std::map<TopicPartition, OffsetAndMetadata>>;
  if (partitions.empty()) return std::map<TopicPartition, OffsetAndMetadata>{};
  for (;;) {
    Status error;
    if (!EnsureCoordinatorReady(deadline_ms, &error)) {
      if (!error.ok()) return error;
      return Status(ErrorCode::kRequestTimedOut, "Timeout of the offset fetch");
    }
    auto result = std::make_shared<std::optional<Out>>();
    client_.Send(
        MakeClientRequest(*Coordinator(), MakeOffsetFetch(config_.group_id, partitions), nullptr),
        [result](ClientResponse r) { *result = ParseOffsetFetch(r); });
    Status s = PollUntil(deadline_ms, [result] { return result->has_value(); });
    if (!s.ok()) return s;
    if (!result->has_value())
      return Status(ErrorCode::kRequestTimedOut, "Timeout of the offset fetch");
    Out& out = **result;
    if (out.ok()) return std::move(out);
    ErrorCode e = out.status().code();
    if (!IsRetriableCommitError(e) && e != ErrorCode::kUnstableOffsetCommit) return out;
    if (e == ErrorCode::kNotCoordinator || e == ErrorCode::kCoordinatorNotAvailable ||
        e == ErrorCode::kNetworkException) {
      MarkCoordinatorUnknown("OffsetFetch: " + out.status().ToString());
    }
    if (NowMs() + config_.retry_backoff_ms >= deadline_ms) return out;
    s = PollUntil(NowMs() + config_.retry_backoff_ms, [] { return false; });
    if (!s.ok()) return s;
  }
}

void ConsumerCoordinator::RefreshCommittedOffsetsIfNeeded() {
  if (offset_fetch_in_flight_) return;
  if (subscriptions_.HasAutoAssignedPartitions() && state() != MemberState::kStable) return;
  std::map<TopicPartition, uint64_t> wanted;  // -> epoch
  for (auto& [tp, st] : subscriptions_.states()) {
    if (st.state == FetchState::kInitializing && !st.lookup_in_flight) wanted[tp] = st.epoch;
  }
  if (wanted.empty()) return;
  std::optional<Node> coordinator = Coordinator();
  if (!coordinator) {
    if (!find_in_flight_ && NowMs() >= find_retry_ms_) SendFindCoordinator();
    return;
  }
  std::set<TopicPartition> partitions;
  for (const auto& [tp, epoch] : wanted) {
    partitions.insert(tp);
    subscriptions_.State(tp)->lookup_in_flight = true;
  }
  offset_fetch_in_flight_ = true;
  client_.Send(
      MakeClientRequest(*coordinator, MakeOffsetFetch(config_.group_id, partitions), nullptr),
      [this, wanted = std::move(wanted)](ClientResponse r) {
        offset_fetch_in_flight_ = false;
        auto committed = ParseOffsetFetch(r);
        if (!committed.ok()) {
          Logger("consumer")->debug("OffsetFetch failed: {}", committed.status().ToString());
          ErrorCode e = committed.status().code();
          if (e == ErrorCode::kNotCoordinator || e == ErrorCode::kCoordinatorNotAvailable ||
              e == ErrorCode::kNetworkException) {
            MarkCoordinatorUnknown("OffsetFetch: " + committed.status().ToString());
          }
        }
        for (const auto& [tp, epoch] : wanted) {
          TopicPartitionState* st = subscriptions_.State(tp);
          if (!st || st->epoch != epoch || st->state != FetchState::kInitializing) continue;
          st->lookup_in_flight = false;
          if (!committed.ok()) continue;  // asked again at the next pass
          auto it = committed->find(tp);
          if (it != committed->end()) {
            subscriptions_.Seek(tp, it->second.offset, it->second.leader_epoch);
          } else {
            subscriptions_.RequestOffsetReset(tp);  // no committed offset
          }
        }
      });
}

}  // namespace gregor
