// SPDX-License-Identifier: Apache-2.0
// KafkaConsumerCore: the Consumer of include/gregor/consumer.h (Kafka's
// KafkaConsumer minus deserialization, which KafkaConsumer<K,V> does in
// front of it). It owns and wires the parts:
//
//   Poll(timeout) ── each pass, on the caller's thread:
//     ConsumerNetworkClient.Poll  run finished responses' handlers
//     MaybeUpdateMetadata         subscribed/assigned topics (all: pattern)
//     ConsumerCoordinator.Poll    find coordinator, join/sync (without
//                                 waiting for the answers), auto-commit
//     UpdateFetchPositions        committed offsets, else ListOffsets reset
//     Fetcher.CollectFetch        buffered records -> return them, after
//     Fetcher.SendFetches         sending the next fetches (prefetch)
//   and waits for the next response, the timeout, or Wakeup().
//
// Without group.id there is no coordinator: Assign() only, positions come
// from Seek or auto.offset.reset, and commits are refused
// (INVALID_GROUP_ID), as Kafka does.
//
// Thread model: one application thread; Wakeup() from any thread. The
// NetworkClient has its own thread; the coordinator's heartbeat thread
// only heartbeats.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "client/metadata.h"
#include "client/network_client.h"
#include "common/clock.h"
#include "consumer/consumer_coordinator.h"
#include "consumer/consumer_metrics.h"
#include "consumer/consumer_network_client.h"
#include "consumer/fetcher.h"
#include "consumer/offset_fetcher.h"
#include "consumer/subscription_state.h"
#include "gregor/consumer.h"

namespace gregor {

/// The byte-level consumer; see the file comment.
class KafkaConsumerCore : public Consumer {
 public:
  /// REQUIRES: a validated config and the parsed bootstrap servers.
  KafkaConsumerCore(ConsumerConfig config, std::vector<Node> bootstrap,
                    Clock& clock = SystemClock::Instance());
  ~KafkaConsumerCore() override;

  using Consumer::Subscribe;
  Status Assign(const std::vector<TopicPartition>& partitions) override;
  Status Subscribe(const std::vector<std::string>& topics,
                   std::shared_ptr<ConsumerRebalanceListener> listener) override;
  Status Subscribe(const std::regex& pattern,
                   std::shared_ptr<ConsumerRebalanceListener> listener) override;
  void Unsubscribe() override;
  std::set<TopicPartition> Assignment() const override;
  std::set<std::string> Subscription() const override;
  Result<ByteRecords> Poll(Ms timeout) override;
  Status Seek(const TopicPartition& tp, int64_t offset) override;
  Status SeekToBeginning(const std::vector<TopicPartition>& partitions) override;
  Status SeekToEnd(const std::vector<TopicPartition>& partitions) override;
  Result<int64_t> Position(const TopicPartition& tp, Ms timeout) override;
  Result<std::map<TopicPartition, OffsetAndMetadata>> Committed(
      const std::set<TopicPartition>& partitions, Ms timeout) override;
  Status CommitSync(Ms timeout) override;
  Status CommitSync(const std::map<TopicPartition, OffsetAndMetadata>& offsets,
                    Ms timeout) override;
  void CommitAsync(OffsetCommitCallback callback) override;
  void CommitAsync(const std::map<TopicPartition, OffsetAndMetadata>& offsets,
                   OffsetCommitCallback callback) override;
  Status Pause(const std::vector<TopicPartition>& partitions) override;
  Status Resume(const std::vector<TopicPartition>& partitions) override;
  std::set<TopicPartition> Paused() const override;
  Result<std::vector<ConsumerPartitionInfo>> PartitionsFor(const std::string& topic,
                                                           Ms timeout) override;
  void Wakeup() override;
  void Close(Ms timeout) override;
  std::map<std::string, double> Metrics() const override;

 private:
  int64_t NowMs() const { return clock_.NowMs(); }
  // Sends a Metadata request if one is due and none is out.
  void MaybeUpdateMetadata();
  // Committed offsets or resets for partitions without a position.
  Status UpdateFetchPositions();
  // Polls the network until `done()` or `deadline_ms`; wakeup-aware.
  Status AwaitCondition(int64_t deadline_ms, const std::function<bool()>& done);
  Status EnsureOpen() const;
  // EnsureOpen, then INVALID_GROUP_ID without a group.id (Kafka's
  // maybeThrowInvalidGroupIdException): subscribing and commits need one.
  Status EnsureGroupId() const;
  // Applies `action` to each of `partitions` in order. Errors:
  // INVALID_REQUEST at the first one not assigned (those before it keep
  // the action).
  Status ForEachAssigned(const std::vector<TopicPartition>& partitions,
                         const std::function<void(const TopicPartition&)>& action);
  // SeekToBeginning / SeekToEnd: `strategy` for `partitions`, or for the
  // whole assignment when empty.
  Status RequestOffsetReset(const std::vector<TopicPartition>& partitions,
                            OffsetResetStrategy strategy);
  static Status NotSubscribed() {
    return Status(ErrorCode::kInvalidRequest,
                  "Consumer is not subscribed to any topics or assigned any partitions");
  }
  static Status WakeupStatus() {
    return Status(ErrorCode::kOperationNotAttempted, "WakeupException: the consumer was woken up");
  }

  const ConsumerConfig config_;
  Clock& clock_;
  ConsumerMetrics metrics_;
  Metadata metadata_;
  NetworkClient network_;
  ConsumerNetworkClient client_;
  SubscriptionState subscriptions_;
  Fetcher fetcher_;
  OffsetFetcher offset_fetcher_;
  std::unique_ptr<ConsumerCoordinator> coordinator_;  // null without group.id

  // Only on the application thread:
  bool metadata_in_flight_ = false;
  int64_t next_metadata_ms_ = 0;
  std::set<std::string> metadata_topics_;  // what the last request asked for
  bool closed_ = false;
};

}  // namespace gregor
