// SPDX-License-Identifier: Apache-2.0
#include "consumer/kafka_consumer_core.h"

#include <algorithm>

#include "common/logging.h"
#include "protocol/metadata.h"

namespace gregor {

namespace {

NetworkClientConfig NetworkConfig(const ConsumerConfig& c) {
  NetworkClientConfig n;
  n.client_id = c.client_id;
  n.request_timeout_ms = c.request_timeout_ms;
  // A fetch response may carry fetch.max.bytes of records.
  n.max_response_size = std::max<int32_t>(n.max_response_size, c.fetch_max_bytes + (1 << 20));
  return n;
}

Status Validate(const ConsumerConfig& c) {
  auto invalid = [](const std::string& m) { return Status(ErrorCode::kInvalidConfig, m); };
  if (c.read_committed) {
    return invalid("isolation.level: read_committed arrives with transactions in chapter 07");
  }
  if (c.max_poll_records < 1) return invalid("max.poll.records must be >= 1");
  if (c.fetch_max_bytes < 0 || c.max_partition_fetch_bytes < 0 || c.fetch_min_bytes < 0 ||
      c.fetch_max_wait_ms < 0) {
    return invalid("fetch sizes and fetch.max.wait.ms must not be negative");
  }
  if (c.heartbeat_interval_ms >= c.session_timeout_ms) {
    return invalid("heartbeat.interval.ms must be lower than session.timeout.ms");
  }
  if (c.group_instance_id && c.group_instance_id->empty()) {
    return invalid("group.instance.id must not be empty");
  }
  if (c.group_id.empty() && c.enable_auto_commit) {
    // Kafka refuses an explicit enable.auto.commit=true without group.id
    // and turns the default off; the struct cannot tell them apart.
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Consumer>> Consumer::Create(ConsumerConfig config) {
  Status s = Validate(config);
  if (!s.ok()) return s;
  auto assignors = ConsumerCoordinator::MakeAssignors(config.partition_assignment_strategy);
  if (!assignors.ok()) return assignors.status();
  auto bootstrap = ParseBootstrapServers(config.bootstrap_servers);
  if (!bootstrap.ok()) return bootstrap.status();
  return std::unique_ptr<Consumer>(new KafkaConsumerCore(std::move(config), std::move(*bootstrap)));
}

KafkaConsumerCore::KafkaConsumerCore(ConsumerConfig config, std::vector<Node> bootstrap,
                                     Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      metadata_(std::move(bootstrap), config_.metadata_max_age_ms),
      network_(NetworkConfig(config_), clock),
      client_(network_, clock),
      subscriptions_(config_.auto_offset_reset),
      fetcher_(config_, client_, metadata_, subscriptions_, metrics_),
      offset_fetcher_(config_, client_, metadata_, subscriptions_) {
  if (!config_.group_id.empty()) {
    auto assignors = ConsumerCoordinator::MakeAssignors(config_.partition_assignment_strategy);
    coordinator_ = std::make_unique<ConsumerCoordinator>(
        config_, client_, metadata_, subscriptions_, metrics_,
        assignors.ok() ? std::move(*assignors) : decltype(std::move(*assignors)){});
  }
}

KafkaConsumerCore::~KafkaConsumerCore() { Close(Ms(config_.default_api_timeout_ms)); }

Status KafkaConsumerCore::EnsureOpen() const {
  if (closed_) return Status(ErrorCode::kInvalidRequest, "This consumer has already been closed.");
  return Status::Ok();
}

Status KafkaConsumerCore::EnsureGroupId() const {
  if (Status s = EnsureOpen(); !s.ok()) return s;
  if (!coordinator_) {
    return Status(ErrorCode::kInvalidGroupId,
                  "To use the group management or offset commit APIs, you must provide a valid "
                  "group.id in the consumer configuration.");
  }
  return Status::Ok();
}

Status KafkaConsumerCore::Assign(const std::vector<TopicPartition>& partitions) {
  if (Status s = EnsureOpen(); !s.ok()) return s;
  if (partitions.empty()) {
    Unsubscribe();
    return Status::Ok();
  }
  for (const auto& tp : partitions) {
    if (tp.topic.empty())
      return Status(ErrorCode::kInvalidRequest,
                    "Topic partitions to assign "
                    "to cannot have null or empty topic");
  }
  // Kafka commits the old assignment's positions before a manual
  // reassignment when auto-commit is on.
  if (coordinator_ && config_.enable_auto_commit) {
    coordinator_->CommitOffsetsAsync(subscriptions_.AllConsumed(), nullptr);
  }
  Result<bool> changed =
      subscriptions_.AssignFromUser(std::set<TopicPartition>(partitions.begin(), partitions.end()));
  if (!changed.ok()) return changed.status();
  if (*changed) metadata_.RequestUpdate();
  return Status::Ok();
}

Status KafkaConsumerCore::Subscribe(const std::vector<std::string>& topics,
                                    std::shared_ptr<ConsumerRebalanceListener> listener) {
  if (Status s = EnsureGroupId(); !s.ok()) return s;
  if (topics.empty()) {
    Unsubscribe();
    return Status::Ok();
  }
  for (const auto& t : topics) {
    if (t.empty())
      return Status(ErrorCode::kInvalidRequest,
                    "Topic collection to subscribe to "
                    "cannot contain null or empty topic");
  }
  Result<bool> changed = subscriptions_.Subscribe(
      std::set<std::string>(topics.begin(), topics.end()), std::move(listener));
  if (!changed.ok()) return changed.status();
  if (*changed) {
    metadata_.RequestUpdate();
    coordinator_->RequestRejoin("subscription changed");
  }
  return Status::Ok();
}

Status KafkaConsumerCore::Subscribe(const std::regex& pattern,
                                    std::shared_ptr<ConsumerRebalanceListener> listener) {
  if (Status s = EnsureGroupId(); !s.ok()) return s;
  Status s = subscriptions_.Subscribe(pattern, "<regex>", std::move(listener));
  if (!s.ok()) return s;
  metadata_.RequestUpdate();
  coordinator_->RequestRejoin("subscription changed");
  return Status::Ok();
}

void KafkaConsumerCore::Unsubscribe() {
  if (closed_) return;
  if (coordinator_ && subscriptions_.HasAutoAssignedPartitions()) {
    coordinator_->MaybeLeaveGroup("the consumer unsubscribed from all topics", true,
                                  NowMs() + config_.request_timeout_ms);
  }
  subscriptions_.Unsubscribe();
}

std::set<TopicPartition> KafkaConsumerCore::Assignment() const {
  return subscriptions_.AssignedPartitions();
}

std::set<std::string> KafkaConsumerCore::Subscription() const {
  return subscriptions_.HasAutoAssignedPartitions() ? subscriptions_.subscription()
                                                    : std::set<std::string>{};
}

void KafkaConsumerCore::MaybeUpdateMetadata() {
  int64_t now = NowMs();
  if (metadata_in_flight_ || now < next_metadata_ms_ || !metadata_.UpdateRequested(now)) return;
  MetadataRequest req;
  std::set<std::string> topics;
  if (subscriptions_.HasPatternSubscription()) {
    req.topics.reset();  // every topic, matched below
  } else {
    topics = subscriptions_.subscription();
    if (topics.empty()) return;
    for (const auto& t : topics) req.topics->push_back(MetadataRequestTopic{t});
  }
  std::vector<Node> nodes = metadata_.Nodes();
  if (nodes.empty()) return;
  const Node& node = nodes[size_t(now) % nodes.size()];
  metadata_in_flight_ = true;
  next_metadata_ms_ = now + config_.retry_backoff_ms;
  ClientRequest r = MakeClientRequest(node, std::move(req), nullptr);
  r.versions.min = 1;  // null topics = all
  client_.Send(std::move(r), [this](ClientResponse response) {
    metadata_in_flight_ = false;
    auto decoded = DecodeResponse<MetadataResponse>(response);
    if (!decoded.ok()) {
      metadata_.RequestUpdate();
      return;
    }
    metadata_.Update(*decoded, NowMs());
    bool incomplete = false;
    std::set<std::string> matched;
    for (const auto& t : decoded->topics) {
      bool leaderless = false;
      for (const auto& p : t.partitions) leaderless |= p.leader_id < 0;
      if (subscriptions_.HasPatternSubscription()) {
        if (t.error_code == ErrorCode::kNone && subscriptions_.MatchesPattern(t.name) &&
            !(config_.exclude_internal_topics && t.is_internal)) {
          matched.insert(t.name);
        }
      } else if (t.error_code != ErrorCode::kNone || t.partitions.empty() || leaderless) {
        incomplete = true;
      }
    }
    if (incomplete) metadata_.RequestUpdate();
    if (subscriptions_.HasPatternSubscription() && subscriptions_.SubscribeFromPattern(matched) &&
        coordinator_) {
      coordinator_->RequestRejoin("pattern subscription matched other topics");
    }
  });
}

Status KafkaConsumerCore::UpdateFetchPositions() {
  if (subscriptions_.HasAllFetchPositions()) return Status::Ok();
  if (coordinator_) {
    coordinator_->RefreshCommittedOffsetsIfNeeded();
  } else {
    for (auto& [tp, st] : subscriptions_.states()) {
      if (st.state == FetchState::kInitializing) subscriptions_.RequestOffsetReset(tp);
    }
  }
  return offset_fetcher_.ResetPositionsIfNeeded();
}

// [consumer-poll]
Result<ByteRecords> KafkaConsumerCore::Poll(Ms timeout) {
  if (Status s = EnsureOpen(); !s.ok()) return s;
  if (subscriptions_.type() == SubscriptionType::kNone) return NotSubscribed();
  const int64_t deadline = NowMs() + timeout.count();
  int64_t wait = 0;
  for (;;) {
    auto woken = ConsumerNetworkClient::PollResult::kWakeup;
    if (client_.Poll(wait) == woken) return WakeupStatus();
    MaybeUpdateMetadata();
    if (coordinator_) {
      Status s = coordinator_->Poll(deadline);
      if (!s.ok()) return s;
    }
    if (Status s = UpdateFetchPositions(); !s.ok()) return s;
    Result<ByteRecords> records = fetcher_.CollectFetch();
    // Before handing records over, send the next fetches so the broker
    // works while the application does (Kafka's "pipelining").
    fetcher_.SendFetches();
    if (!records.ok() || !records->empty()) return records;
    int64_t now = NowMs();
    if (now >= deadline) return records;
    wait = deadline - now;
    if (coordinator_) wait = std::min(wait, coordinator_->TimeToNextPoll(now));
    bool lookups = !subscriptions_.HasAllFetchPositions();
    if (lookups || metadata_.UpdateRequested(now)) {
      wait = std::min(wait, config_.retry_backoff_ms);
    }
    wait = std::max<int64_t>(wait, 0);
  }
}
// [consumer-poll]

Status KafkaConsumerCore::AwaitCondition(int64_t deadline_ms, const std::function<bool()>& done) {
  for (;;) {
    MaybeUpdateMetadata();
    if (Status s = UpdateFetchPositions(); !s.ok()) return s;
    if (done()) return Status::Ok();
    int64_t now = NowMs();
    if (now >= deadline_ms) return Status(ErrorCode::kRequestTimedOut, "Timeout expired");
    int64_t wait = std::min<int64_t>(deadline_ms - now, config_.retry_backoff_ms);
    if (client_.Poll(wait) == ConsumerNetworkClient::PollResult::kWakeup) return WakeupStatus();
  }
}

Status KafkaConsumerCore::Seek(const TopicPartition& tp, int64_t offset) {
  if (Status s = EnsureOpen(); !s.ok()) return s;
  if (offset < 0) return Status(ErrorCode::kInvalidRequest, "seek offset must not be negative");
  return ForEachAssigned({tp}, [&](const TopicPartition& p) { subscriptions_.Seek(p, offset); });
}

Status KafkaConsumerCore::SeekToBeginning(const std::vector<TopicPartition>& partitions) {
  return RequestOffsetReset(partitions, OffsetResetStrategy::kEarliest);
}

Status KafkaConsumerCore::SeekToEnd(const std::vector<TopicPartition>& partitions) {
  return RequestOffsetReset(partitions, OffsetResetStrategy::kLatest);
}

Status KafkaConsumerCore::RequestOffsetReset(const std::vector<TopicPartition>& partitions,
                                             OffsetResetStrategy strategy) {
  if (Status s = EnsureOpen(); !s.ok()) return s;
  auto list = partitions.empty() ? subscriptions_.AssignedPartitionList() : partitions;
  return ForEachAssigned(
      list, [&](const TopicPartition& tp) { subscriptions_.RequestOffsetReset(tp, strategy); });
}

Status KafkaConsumerCore::ForEachAssigned(
    const std::vector<TopicPartition>& partitions,
    const std::function<void(const TopicPartition&)>& action) {
  for (const auto& tp : partitions) {
    if (!subscriptions_.IsAssigned(tp)) {
      return Status(ErrorCode::kInvalidRequest,
                    "No current assignment for partition " + tp.ToString());
    }
    action(tp);
  }
  return Status::Ok();
}

Result<int64_t> KafkaConsumerCore::Position(const TopicPartition& tp, Ms timeout) {
  if (Status s = EnsureOpen(); !s.ok()) return s;
  if (!subscriptions_.IsAssigned(tp)) {
    return Status(ErrorCode::kInvalidRequest,
                  "You can only check the position for partitions assigned to this consumer.");
  }
  Status s = AwaitCondition(NowMs() + timeout.count(), [&] {
    const TopicPartitionState* st = subscriptions_.State(tp);
    return !st || st->HasValidPosition();
  });
  if (!s.ok()) {
    if (s.code() == ErrorCode::kRequestTimedOut) {
      return Status(s.code(), "Timeout of " + std::to_string(timeout.count()) +
                                  "ms expired before the position for partition " + tp.ToString() +
                                  " could be determined");
    }
    return s;
  }
  const TopicPartitionState* st = subscriptions_.State(tp);
  if (!st) return Status(ErrorCode::kInvalidRequest, tp.ToString() + " was unassigned");
  return st->position;
}

Result<std::map<TopicPartition, OffsetAndMetadata>> KafkaConsumerCore::Committed(
    const std::set<TopicPartition>& partitions, Ms timeout) {
  if (Status s = EnsureGroupId(); !s.ok()) return s;
  return coordinator_->FetchCommittedOffsets(partitions, NowMs() + timeout.count());
}

Status KafkaConsumerCore::CommitSync(Ms timeout) {
  return CommitSync(subscriptions_.AllConsumed(), timeout);
}

Status KafkaConsumerCore::CommitSync(const std::map<TopicPartition, OffsetAndMetadata>& offsets,
                                     Ms timeout) {
  if (Status s = EnsureGroupId(); !s.ok()) return s;
  return coordinator_->CommitOffsetsSync(offsets, NowMs() + timeout.count());
}

void KafkaConsumerCore::CommitAsync(OffsetCommitCallback callback) {
  CommitAsync(subscriptions_.AllConsumed(), std::move(callback));
}

void KafkaConsumerCore::CommitAsync(const std::map<TopicPartition, OffsetAndMetadata>& offsets,
                                    OffsetCommitCallback callback) {
  if (Status s = EnsureGroupId(); !s.ok()) {
    if (callback) callback(offsets, s);
    return;
  }
  coordinator_->CommitOffsetsAsync(offsets, std::move(callback));
}

Status KafkaConsumerCore::Pause(const std::vector<TopicPartition>& partitions) {
  return ForEachAssigned(partitions, [&](const TopicPartition& tp) { subscriptions_.Pause(tp); });
}

Status KafkaConsumerCore::Resume(const std::vector<TopicPartition>& partitions) {
  return ForEachAssigned(partitions, [&](const TopicPartition& tp) { subscriptions_.Resume(tp); });
}

std::set<TopicPartition> KafkaConsumerCore::Paused() const { return subscriptions_.Paused(); }

Result<std::vector<ConsumerPartitionInfo>> KafkaConsumerCore::PartitionsFor(
    const std::string& topic, Ms timeout) {
  if (Status s = EnsureOpen(); !s.ok()) return s;
  std::vector<Node> nodes = metadata_.Nodes();
  MetadataRequest req;
  req.topics->push_back(MetadataRequestTopic{topic});
  req.allow_auto_topic_creation = false;
  std::optional<Result<MetadataResponse>> answer;
  ClientRequest r = MakeClientRequest(nodes[0], std::move(req), nullptr);
  r.versions.min = 1;
  client_.Send(std::move(r), [&answer](ClientResponse response) {
    answer = DecodeResponse<MetadataResponse>(response);
  });
  int64_t deadline = NowMs() + timeout.count();
  // The handler captures `answer` by reference: wait for it even past the
  // deadline's wakeup, without wakeups, bounded by request.timeout.ms.
  auto result =
      client_.Poll(std::max<int64_t>(0, deadline - NowMs()), [&] { return answer.has_value(); });
  if (!answer) {
    client_.Poll(
        config_.request_timeout_ms + 1000, [&] { return answer.has_value(); }, false);
    if (result == ConsumerNetworkClient::PollResult::kWakeup) return WakeupStatus();
    return Status(ErrorCode::kRequestTimedOut, "Timeout expired while fetching topic metadata");
  }
  if (!answer->ok()) return answer->status();
  std::vector<ConsumerPartitionInfo> out;
  for (const auto& t : (*answer)->topics) {
    if (t.name != topic) continue;
    if (t.error_code != ErrorCode::kNone) return Status(t.error_code, "topic '" + topic + "'");
    for (const auto& p : t.partitions) {
      out.push_back(ConsumerPartitionInfo{topic, p.partition_index, p.leader_id, p.replica_nodes,
                                          p.isr_nodes});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.partition < b.partition; });
  return out;
}

void KafkaConsumerCore::Wakeup() { client_.Wakeup(); }

void KafkaConsumerCore::Close(Ms timeout) {
  if (closed_) return;
  int64_t deadline = NowMs() + std::min<int64_t>(timeout.count(), 1LL << 40);
  if (coordinator_) coordinator_->Close(deadline);
  closed_ = true;
  network_.Close();
  // Handlers of requests the close failed still reference this object.
  client_.Poll(0, nullptr, false);
}

std::map<std::string, double> KafkaConsumerCore::Metrics() const {
  const ConsumerMetrics& m = metrics_;
  auto avg = [](int64_t total, int64_t count) { return count ? double(total) / count : 0.0; };
  return {
      {"records-consumed-total", double(m.records_consumed_total)},
      {"bytes-consumed-total", double(m.bytes_consumed_total)},
      {"fetch-total", double(m.fetch_total)},
      {"fetch-latency-avg", avg(m.fetch_latency_ns_total, m.fetch_total) / 1e6},
      {"records-lag-max", double(m.records_lag_max)},
      {"commit-total", double(m.commit_total)},
      {"rebalance-total", double(m.rebalance_total)},
      {"rebalance-latency-avg", avg(m.rebalance_latency_ns_total, m.rebalance_total) / 1e6},
      {"heartbeat-total", double(m.heartbeat_total)},
      {"failed-rebalance-total", double(m.failed_rebalance_total)},
  };
}

}  // namespace gregor
